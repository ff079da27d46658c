package org.dlc4j.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.util.Set;
import java.util.TreeSet;

/**
 * A JSON request body read strictly (RFC 8259: no comments, no single quotes, nothing after the object), with typed
 * getters that name the field at fault, and a list of the fields the endpoint knows so that a misspelt one is refused
 * rather than silently ignored.
 */
final class Body {
    private final JsonObject json;

    private Body(JsonObject json) {
        this.json = json;
    }

    static Body parse(String text, Set<String> known) {
        if (text == null || text.isBlank()) {
            text = "{}";
        }
        JsonElement element;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            element = com.google.gson.internal.Streams.parse(reader);
            if (reader.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                throw new JsonParseException("text after the JSON object");
            }
        } catch (JsonParseException | java.io.IOException | IllegalStateException e) {
            throw ApiError.bad(null, "malformed JSON: " + firstLine(e.getMessage()) + "; send one JSON object, e.g. {\"n\": 4}");
        }
        if (!element.isJsonObject()) {
            throw ApiError.bad(null, "the body must be a JSON object, e.g. {\"n\": 4}");
        }
        JsonObject object = element.getAsJsonObject();
        for (String field : object.keySet()) {
            if (!known.contains(field)) {
                throw ApiError.bad(field, "unknown field '" + field + "': this endpoint reads " + String.join(", ", new TreeSet<>(known)));
            }
        }
        return new Body(object);
    }

    boolean has(String field) {
        return json.has(field) && !json.get(field).isJsonNull();
    }

    int integer(String field, int fallback, int min, int max) {
        if (!has(field)) {
            return fallback;
        }
        double v = number(field);
        if (v != Math.rint(v)) {
            throw ApiError.bad(field, field + " must be a whole number, not " + json.get(field));
        }
        if (v < min || v > max) {
            throw ApiError.bad(field, field + " must be between " + min + " and " + max + ", not " + json.get(field));
        }
        return (int) v;
    }

    long seed(String field, long fallback) {
        if (!has(field)) {
            return fallback;
        }
        double v = number(field);
        if (v != Math.rint(v) || Math.abs(v) > 9.007199254740991E15) {
            throw ApiError.bad(field, field + " must be a whole number (at most 2^53 in size), not " + json.get(field));
        }
        return (long) v;
    }

    double number(String field, double fallback, double min, double max) {
        if (!has(field)) {
            return fallback;
        }
        double v = number(field);
        if (!(v >= min && v <= max)) {
            throw ApiError.bad(field, field + " must be between " + min + " and " + max + ", not " + json.get(field));
        }
        return v;
    }

    String string(String field, String fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonElement e = json.get(field);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw ApiError.bad(field, field + " must be a string");
        }
        return e.getAsString();
    }

    JsonArray array(String field) {
        if (!has(field)) {
            throw ApiError.bad(field, field + " is missing");
        }
        JsonElement e = json.get(field);
        if (!e.isJsonArray()) {
            throw ApiError.bad(field, field + " must be an array");
        }
        return e.getAsJsonArray();
    }

    JsonObject object(String field) {
        if (!has(field)) {
            throw ApiError.bad(field, field + " is missing");
        }
        JsonElement e = json.get(field);
        if (!e.isJsonObject()) {
            throw ApiError.bad(field, field + " must be an object");
        }
        return e.getAsJsonObject();
    }

    private double number(String field) {
        JsonElement e = json.get(field);
        if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
            throw ApiError.bad(field, field + " must be a number, not " + e);
        }
        return e.getAsDouble();
    }

    /** The whole numbers of a JSON array, each in [min, max]. */
    static int[] ints(JsonArray array, String field, int min, int max) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = array.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble())) {
                throw ApiError.bad(field, field + "[" + i + "] must be a whole number, not " + e);
            }
            double v = e.getAsDouble();
            if (v < min || v > max) {
                throw ApiError.bad(field, field + "[" + i + "] = " + e + " is out of range: " + min + ".." + max);
            }
            out[i] = (int) v;
        }
        return out;
    }

    static double[] numbers(JsonArray array, String field) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = array.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || !Double.isFinite(e.getAsDouble())) {
                throw ApiError.bad(field, field + "[" + i + "] must be a finite number, not " + e);
            }
            out[i] = e.getAsDouble();
        }
        return out;
    }

    static boolean[] booleans(JsonArray array, String field) {
        boolean[] out = new boolean[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = array.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw ApiError.bad(field, field + "[" + i + "] must be true or false, not " + e);
            }
            out[i] = e.getAsBoolean();
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).replaceAll("\\s*See https?://\\S+", "").replaceAll("^[\\w.]+(Exception|Error): ", "");
    }
}
