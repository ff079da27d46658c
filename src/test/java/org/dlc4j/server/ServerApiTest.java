package org.dlc4j.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.dlc4j.Code;
import org.dlc4j.Dlc;
import org.dlc4j.GeneratedImage;
import org.dlc4j.Sampling;
import org.dlc4j.util.Home;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JSON API against a real server on an ephemeral loopback port, with the shipped models: every endpoint, that its
 * answers agree with the Java API for the same seed, and the bad-input list of issue 26 (each a 4xx with one JSON
 * error, after which the server still serves).
 */
class ServerApiTest {
    static DlcServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        var d = DlcServer.Options.defaults(Home.models());
        server = DlcServer.start(new DlcServer.Options("127.0.0.1", 0, d.models(), 1, 8, 16, 250, d.maxBodyBytes(), 120));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> postJson(String path, String json) throws Exception {
        return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    static JsonObject ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    /** A 4xx whose body is exactly one JSON object with an "error" message. */
    static JsonObject refused(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        assertTrue(o.has("error") && !o.get("error").getAsString().isBlank(), r.body());
        assertFalse(r.body().contains("\tat org."), "no stack trace: " + r.body());
        return o;
    }

    static BufferedImage image(String dataUrl) throws Exception {
        assertTrue(dataUrl.startsWith("data:image/png;base64,"));
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(dataUrl.substring(22))));
    }

    static int[] tokens(JsonObject code) {
        JsonArray a = code.getAsJsonArray("tokens");
        int[] t = new int[a.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = a.get(i).getAsInt();
        }
        return t;
    }

    @Test
    void infoGalleryAndThePageAreServed() throws Exception {
        JsonObject info = ok(HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/info")).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(32, info.get("codeLength").getAsInt());
        assertEquals(64, info.get("vocabulary").getAsInt());
        assertEquals("shipped", info.get("model").getAsString());
        JsonObject g = ok(HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/gallery")).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(1000, g.get("count").getAsInt());
        var png = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/gallery/7.png")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, png.statusCode());
        assertEquals(28, ImageIO.read(new ByteArrayInputStream(png.body())).getWidth());
        for (String asset : List.of("", "app.js", "app.css", "openapi.json")) {
            var page = HTTP.send(HttpRequest.newBuilder(server.uri().resolve(asset)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), asset);
        }
        JsonObject spec = JsonParser.parseString(HTTP.send(HttpRequest.newBuilder(server.uri().resolve("openapi.json")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).getAsJsonObject();
        for (String path : List.of("/api/encode", "/api/decode", "/api/edit", "/api/compose", "/api/prompt", "/api/generate")) {
            assertTrue(spec.getAsJsonObject("paths").has(path), "openapi.json documents " + path);
        }
    }

    @Test
    void encodesGalleryImagesUploadsAndRawBodiesAlike() throws Exception {
        JsonObject byIndex = ok(postJson("api/encode", "{\"gallery\": 3}"));
        int[] code = tokens(byIndex.getAsJsonObject("code"));
        assertEquals(32, code.length);
        assertEquals(32 * 64, byIndex.getAsJsonObject("code").getAsJsonArray("distributions").size());
        JsonObject first = byIndex.getAsJsonArray("nearest").get(0).getAsJsonObject();
        assertEquals(3, first.get("index").getAsInt(), "an image's nearest code is its own");
        assertEquals(32, first.get("shared").getAsInt());

        byte[] png = Files.readAllBytes(Path.of("assets/fmnist/queries/test01000.png"));
        JsonObject raw = ok(post("api/encode", "image/png", png));
        String boundary = "----dlc4j" + System.nanoTime();
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"q.png\"\r\nContent-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        form.write(png);
        form.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonObject multipart = ok(post("api/encode", "multipart/form-data; boundary=" + boundary, form.toByteArray()));
        assertArrayEquals(tokens(raw.getAsJsonObject("code")), tokens(multipart.getAsJsonObject("code")));
        try (Dlc dlc = Dlc.open()) {
            Code direct = dlc.encode(ImageIO.read(new ByteArrayInputStream(png)));
            assertArrayEquals(direct.tokens(), tokens(raw.getAsJsonObject("code")), "the API encodes as the Java API does");
        }
        assertEquals(28, image(raw.get("view").getAsString()).getWidth());
    }

    @Test
    void aLargeColourPhotoIsViewedAsALightObjectOnBlack() throws Exception {
        BufferedImage photo = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = photo.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 640, 480);
        g.setColor(new Color(40, 60, 90));
        g.fillOval(220, 140, 200, 200);
        g.dispose();
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(photo, "jpeg", jpeg);
        JsonObject r = ok(post("api/encode", "image/jpeg", jpeg.toByteArray()));
        BufferedImage view = image(r.get("view").getAsString());
        assertEquals(28, view.getWidth());
        assertEquals(28, view.getHeight());
        int corner = view.getRaster().getSample(0, 0, 0);
        int centre = view.getRaster().getSample(14, 14, 0);
        assertTrue(corner < 20 && centre > 150, "background dark, object light: corner " + corner + ", centre " + centre);
    }

    @Test
    void decodeAgreesWithTheJavaApiAndASeedRepeats() throws Exception {
        JsonObject enc = ok(postJson("api/encode", "{\"gallery\": 5}"));
        int[] code = tokens(enc.getAsJsonObject("code"));
        String body = "{\"code\": {\"tokens\": " + java.util.Arrays.toString(code) + "}, \"n\": 2, \"steps\": 5, \"guidance\": 2, \"seed\": 11}";
        JsonObject a = ok(postJson("api/decode", body));
        JsonObject b = ok(postJson("api/decode", body));
        assertEquals(a.getAsJsonArray("images"), b.getAsJsonArray("images"), "same seed, same images");
        assertEquals(11, a.get("seed").getAsLong());
        try (Dlc dlc = Dlc.open()) {
            List<GeneratedImage> direct = dlc.decode(dlc.code(code), 2, Sampling.defaults().withSeed(11).withSteps(5).withGuidance(2));
            for (int i = 0; i < 2; i++) {
                JsonObject img = a.getAsJsonArray("images").get(i).getAsJsonObject();
                assertEquals(DlcServer.dataUrl(direct.get(i).image()), img.get("png").getAsString(), "image " + i + " as Dlc.decode draws it");
                assertArrayEquals(code, tokens(img.getAsJsonObject("code")));
            }
        }
        JsonObject unseeded = ok(postJson("api/decode", "{\"code\": {\"gallery\": 5}, \"n\": 1, \"steps\": 3}"));
        assertTrue(unseeded.has("seed"), "the server names the seed it chose, so the result can be reproduced");
    }

    @Test
    void editKeepsTheLockedTokensAndDrawsTheOthers() throws Exception {
        JsonObject enc = ok(postJson("api/encode", "{\"gallery\": 8}"));
        int[] code = tokens(enc.getAsJsonObject("code"));
        boolean[] keep = new boolean[32];
        StringBuilder flags = new StringBuilder();
        for (int p = 0; p < 32; p++) {
            keep[p] = p < 20;
            flags.append(p == 0 ? "" : ",").append(keep[p]);
        }
        JsonObject r = ok(postJson("api/edit", "{\"code\": {\"tokens\": " + java.util.Arrays.toString(code) + "}, \"keep\": [" + flags
                + "], \"n\": 3, \"steps\": 4, \"priorSteps\": 16, \"seed\": 2}"));
        int changed = 0;
        for (var e : r.getAsJsonArray("images")) {
            int[] t = tokens(e.getAsJsonObject().getAsJsonObject("code"));
            for (int p = 0; p < 32; p++) {
                if (keep[p]) {
                    assertEquals(code[p], t[p], "a locked token stays");
                } else {
                    changed += t[p] != code[p] ? 1 : 0;
                }
            }
            assertNotNull(image(e.getAsJsonObject().get("png").getAsString()));
        }
        assertTrue(changed > 0, "released tokens are drawn again");
    }

    @Test
    void composeMixesTokensOrDistributions() throws Exception {
        JsonObject a = ok(postJson("api/encode", "{\"gallery\": 0}")).getAsJsonObject("code");
        JsonObject b = ok(postJson("api/encode", "{\"gallery\": 1}")).getAsJsonObject("code");
        int[] ta = tokens(a);
        int[] tb = tokens(b);
        JsonObject r = ok(postJson("api/compose", "{\"codes\": [{\"gallery\": 0}, {\"gallery\": 1}], \"weights\": [0.5, 0.5], \"n\": 2,"
                + " \"steps\": 4, \"seed\": 5}"));
        for (var e : r.getAsJsonArray("images")) {
            int[] t = tokens(e.getAsJsonObject().getAsJsonObject("code"));
            for (int p = 0; p < 32; p++) {
                assertTrue(t[p] == ta[p] || t[p] == tb[p], "each position comes from one of the two codes");
            }
        }
        JsonObject body = new JsonObject();
        JsonArray codes = new JsonArray();
        codes.add(a);
        codes.add(b);
        a.remove("vocabulary");
        a.remove("encoder");
        b.remove("vocabulary");
        b.remove("encoder");
        body.add("codes", codes);
        body.addProperty("mixing", "distributions");
        body.addProperty("n", 2);
        body.addProperty("steps", 4);
        assertEquals(2, ok(postJson("api/compose", body.toString())).getAsJsonArray("images").size());
        JsonObject noDistributions = refused(postJson("api/compose", "{\"codes\": [{\"tokens\": " + java.util.Arrays.toString(ta) + "}, {\"tokens\": "
                + java.util.Arrays.toString(tb) + "}], \"mixing\": \"distributions\"}"), 400);
        assertTrue(noDistributions.get("error").getAsString().contains("distributions"));
    }

    @Test
    void promptAndUnconditionalSamplingAnswer() throws Exception {
        JsonObject p = ok(postJson("api/prompt", "{\"prompt\": \"a photo of a sneaker\", \"n\": 2, \"steps\": 4, \"seed\": 1}"));
        assertEquals(2, p.getAsJsonArray("images").size());
        JsonObject g = ok(postJson("api/generate", "{\"n\": 2, \"steps\": 4, \"priorSteps\": 8, \"seed\": 1}"));
        assertEquals(2, g.getAsJsonArray("images").size());
    }

    @Test
    void aStreamShowsProgressPreviewsThenTheResult() throws Exception {
        var r = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/decode?stream=true")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\": {\"gallery\": 2}, \"n\": 2, \"steps\": 6, \"seed\": 4}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> events = new ArrayList<>();
        for (String block : r.body().split("\n\n")) {
            events.add(block.substring("event: ".length(), block.indexOf('\n')));
        }
        assertEquals(6, events.stream().filter("preview"::equals).count(), "one preview per denoising step");
        assertTrue(events.contains("progress"));
        assertEquals("result", events.get(events.size() - 1));
        String last = r.body().substring(r.body().lastIndexOf("data: ") + 6).trim();
        JsonObject streamed = JsonParser.parseString(last).getAsJsonObject();
        JsonObject plain = ok(postJson("api/decode", "{\"code\": {\"gallery\": 2}, \"n\": 2, \"steps\": 6, \"seed\": 4}"));
        assertEquals(plain.getAsJsonArray("images"), streamed.getAsJsonArray("images"), "streaming changes nothing in the result");
    }

    @Test
    void badInputGetsAClearJsonErrorAndTheServerKeepsServing() throws Exception {
        refused(post("api/encode", "image/png", "not an image".getBytes(StandardCharsets.UTF_8)), 415);
        refused(post("api/encode", "text/plain", "hello".getBytes(StandardCharsets.UTF_8)), 415);
        refused(post("api/encode", "image/png", new byte[50 << 20]), 413);
        refused(postJson("api/generate", "{\"n\": 4"), 400);
        refused(postJson("api/generate", "[1, 2]"), 400);
        refused(postJson("api/generate", "{\"n\": 2} trailing"), 400);
        JsonObject range = refused(postJson("api/decode", "{\"code\": {\"tokens\": [" + "64,".repeat(31) + "64]}}"), 400);
        assertTrue(range.get("error").getAsString().contains("out of range"), range.toString());
        JsonObject length = refused(postJson("api/decode", "{\"code\": {\"tokens\": [1, 2, 3]}}"), 400);
        assertTrue(length.get("error").getAsString().contains("L = 32"), length.toString());
        refused(postJson("api/generate", "{\"model\": \"imagenet\"}"), 404);
        assertEquals("n", refused(postJson("api/generate", "{\"n\": 0}"), 400).get("parameter").getAsString());
        assertEquals("n", refused(postJson("api/generate", "{\"n\": 1000}"), 400).get("parameter").getAsString());
        assertEquals("steps", refused(postJson("api/generate", "{\"steps\": -3}"), 400).get("parameter").getAsString());
        assertEquals("stpes", refused(postJson("api/generate", "{\"stpes\": 3}"), 400).get("parameter").getAsString());
        refused(postJson("api/edit", "{\"code\": {\"gallery\": 1}, \"keep\": [true]}"), 400);
        refused(postJson("api/encode", "{\"gallery\": 5000}"), 400);
        refused(HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/gallery/5000.png")).build(), HttpResponse.BodyHandlers.ofString()), 404);
        refused(HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/nothing")).build(), HttpResponse.BodyHandlers.ofString()), 404);
        refused(HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/info")).DELETE().build(), HttpResponse.BodyHandlers.ofString()), 405);
        refused(postJson("api/prompt", "{\"prompt\": \"   \"}"), 400);
        assertEquals(1, ok(postJson("api/generate", "{\"n\": 1, \"steps\": 3, \"priorSteps\": 4, \"seed\": 9}")).getAsJsonArray("images").size(),
                "the server still serves");
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAndASlowRequestIsStopped() throws Exception {
        var d = DlcServer.Options.defaults(Home.models());
        try (DlcServer small = DlcServer.start(new DlcServer.Options("127.0.0.1", 0, d.models(), 1, 1, 16, 250, d.maxBodyBytes(), 2))) {
            String slow = "{\"code\": {\"gallery\": 1}, \"n\": 16, \"steps\": 250, \"seed\": 1}";
            List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pending.add(HTTP.sendAsync(HttpRequest.newBuilder(small.uri().resolve("api/decode")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(slow)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            int busy = 0;
            int stopped = 0;
            for (var f : pending) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 503) {
                    busy++;
                    assertTrue(r.headers().firstValue("Retry-After").isPresent(), "503 says when to retry");
                    refused(r, 503);
                } else {
                    refused(r, 504);
                    stopped++;
                }
            }
            assertTrue(busy >= 1, "one running and one waiting: the rest are turned away");
            assertTrue(stopped >= 1, "a request past its 2 s limit is stopped");
            HttpResponse<String> after = HTTP.send(HttpRequest.newBuilder(small.uri().resolve("api/decode")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"code\": {\"gallery\": 1}, \"n\": 1, \"steps\": 2, \"seed\": 1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, after.statusCode(), "the server serves again once the queue drains");
        }
    }
}
