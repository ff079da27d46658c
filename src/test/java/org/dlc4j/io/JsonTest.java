package org.dlc4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every JSON dlc writes is strict: non-finite numbers become null, finite output is what plain Gson wrote. */
public class JsonTest {
    /** Parses {@code text} as strict RFC 8259 JSON (no NaN/Infinity, no comments, one value), as JSON.parse or Jackson would. */
    public static JsonElement parseStrictly(String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("trailing text after the JSON value");
            }
            return e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Metrics(String name, double fd, double accuracy, float loss, Double boxed, double[] perClass, Map<String, Double> seconds,
                   int count) {
    }

    record Finite(String name, double a, double tiny, float f, Float boxedF, long big, List<Double> xs, String html) {
    }

    @Test
    void theStrictCheckRejectsNonFiniteLiterals() {
        for (String bad : List.of("{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "[NaN]", "NaN")) {
            assertThrows(JsonParseException.class, () -> parseStrictly(bad), bad);
        }
        assertTrue(parseStrictly("{\"a\":null,\"b\":1.5}").getAsJsonObject().get("a").isJsonNull());
    }

    @Test
    void nonFiniteNumbersAreWrittenAsNull() {
        var seconds = new LinkedHashMap<String, Double>();
        seconds.put("kid", Double.NaN);
        seconds.put("fd", 0.25);
        var m = new Metrics("set", Double.POSITIVE_INFINITY, Double.NaN, Float.NEGATIVE_INFINITY, Double.NaN,
                new double[] {1.5, Double.NaN, Double.NEGATIVE_INFINITY}, seconds, 3);
        var tree = new JsonObject();
        tree.addProperty("nan", Double.NaN);
        tree.addProperty("inf", Float.POSITIVE_INFINITY);
        tree.addProperty("ok", 2);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("report", m);
        doc.put("tree", tree);
        doc.put("list", List.of(Double.NaN, 1.0));
        for (String text : List.of(Json.write(doc), Json.pretty(doc), Json.GSON.toJson(m), Json.PRETTY.toJson(m))) {
            assertTrue(!text.contains("NaN") && !text.contains("Infinity"), text);
            JsonObject o = parseStrictly(text).getAsJsonObject();
            JsonObject r = o.has("report") ? o.getAsJsonObject("report") : o;
            assertTrue(r.get("fd").isJsonNull(), text);
            assertTrue(r.get("accuracy").isJsonNull(), text);
            assertTrue(r.get("loss").isJsonNull(), text);
            assertTrue(r.get("boxed").isJsonNull(), text);
            assertEquals(1.5, r.getAsJsonArray("perClass").get(0).getAsDouble());
            assertTrue(r.getAsJsonArray("perClass").get(1).isJsonNull(), text);
            assertTrue(r.getAsJsonArray("perClass").get(2).isJsonNull(), text);
            assertTrue(r.getAsJsonObject("seconds").get("kid").isJsonNull(), text);
            assertEquals(0.25, r.getAsJsonObject("seconds").get("fd").getAsDouble());
            assertEquals(3, r.get("count").getAsInt());
            if (o.has("tree")) {
                assertTrue(o.getAsJsonObject("tree").get("nan").isJsonNull(), text);
                assertTrue(o.getAsJsonObject("tree").get("inf").isJsonNull(), text);
                assertEquals(2, o.getAsJsonObject("tree").get("ok").getAsInt());
                assertTrue(o.getAsJsonArray("list").get(0).isJsonNull(), text);
            }
        }
    }

    @Test
    void finiteOutputIsWhatPlainGsonWrote() {
        // Checkpoints compare their configuration JSON to resume, so finite values must keep their exact text.
        var f = new Finite("a<b & 'c'", 0.1, 1e-12, 0.1f, 2.5f, 1L << 40, List.of(1.0, -3.25), null);
        assertEquals(new Gson().toJson(f), Json.GSON.toJson(f));
        assertEquals(new Gson().toJson(f), Json.write(f));
        assertEquals(new GsonBuilder().setPrettyPrinting().create().toJson(f), Json.PRETTY.toJson(f));
        assertEquals(new GsonBuilder().setPrettyPrinting().create().toJson(f), Json.pretty(f));
        assertEquals("null", Json.write(null));
    }

    @Test
    void readingStaysLenientAndNullReadsBackAsNaN() {
        var m = new Metrics("set", Double.NaN, 0.5, Float.NaN, null, new double[] {Double.NaN}, Map.of(), 1);
        Metrics back = Json.read(Json.write(m), Metrics.class);
        assertTrue(Double.isNaN(back.fd()));
        assertTrue(Float.isNaN(back.loss()));
        assertEquals(0.5, back.accuracy());
        assertTrue(Double.isNaN(back.perClass()[0]));
        // a file written before the rule
        Metrics old = Json.read("{\"name\":\"x\",\"fd\":NaN,\"accuracy\":-Infinity,\"loss\":Infinity,\"boxed\":NaN,\"count\":2}", Metrics.class);
        assertTrue(Double.isNaN(old.fd()));
        assertEquals(Double.NEGATIVE_INFINITY, old.accuracy());
        assertEquals(Float.POSITIVE_INFINITY, old.loss());
        assertTrue(Double.isNaN(old.boxed()));
    }
}
