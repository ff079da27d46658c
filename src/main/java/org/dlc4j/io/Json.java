package org.dlc4j.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.reflect.Type;

/**
 * The one rule for every JSON file and response dlc writes: strict JSON (RFC 8259), which JavaScript's JSON.parse and
 * Jackson read. A number that is not finite (NaN, ±Infinity: a metric that is undefined or was not measured) is written
 * as {@code null}; finite numbers are written exactly as a plain {@code new Gson()} writes them, so configuration JSON
 * compared for resuming stays byte for byte what it was.
 *
 * <p>Reading stays lenient, for files written before this rule: a NaN or Infinity literal still reads back, and
 * {@code null} reads back as NaN into a {@code double} or {@code float} (as {@code null} into a boxed one).
 */
public final class Json {
    private Json() {}

    /** Compact output; safe to call {@code toJson} on directly, except with a {@code JsonElement} tree: use {@link #write}. */
    public static final Gson GSON = builder().create();

    /** Indented output, for files people read. */
    public static final Gson PRETTY = builder().setPrettyPrinting().create();

    /** A builder with the non-finite-as-null rule, for writers that need more settings. */
    public static GsonBuilder builder() {
        return new GsonBuilder()
                .registerTypeAdapter(double.class, new Floating(true, false))
                .registerTypeAdapter(Double.class, new Floating(false, false))
                .registerTypeAdapter(float.class, new Floating(true, true))
                .registerTypeAdapter(Float.class, new Floating(false, true))
                .registerTypeHierarchyAdapter(java.nio.file.Path.class, new PathAdapter());
    }

    /** A file path as its string (Gson cannot reflect into the JDK's Path classes). */
    private static final class PathAdapter extends TypeAdapter<java.nio.file.Path> {
        @Override
        public void write(JsonWriter out, java.nio.file.Path value) throws IOException {
            if (value == null) {
                out.nullValue();
            } else {
                out.value(value.toString());
            }
        }

        @Override
        public java.nio.file.Path read(JsonReader in) throws IOException {
            if (in.peek() == com.google.gson.stream.JsonToken.NULL) {
                in.nextNull();
                return null;
            }
            return java.nio.file.Path.of(in.nextString());
        }
    }

    /** {@code value} as compact strict JSON. */
    public static String write(Object value) {
        return write(GSON, value);
    }

    /** {@code value} as indented strict JSON. */
    public static String pretty(Object value) {
        return write(PRETTY, value);
    }

    /**
     * {@code value} as strict JSON through {@code gson} (one of {@link #builder()}'s). The writer also turns non-finite
     * numbers into null, which covers what the type adapters cannot reach: numbers inside {@code JsonElement} trees.
     */
    public static String write(Gson gson, Object value) {
        StringWriter text = new StringWriter();
        try (JsonWriter out = new FiniteWriter(gson.newJsonWriter(text), text)) {
            gson.toJson(value, value == null ? Object.class : value.getClass(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Reads JSON written by dlc, now or before this rule (NaN literals included). */
    public static <T> T read(String text, Class<T> type) {
        return GSON.fromJson(text, type);
    }

    /** Reads JSON written by dlc into a generic type. */
    public static <T> T read(String text, Type type) {
        return GSON.fromJson(text, type);
    }

    /**
     * Writes the null that stands for a non-finite number. It is written even where Gson leaves out null fields (its
     * default, kept so that other output does not change): the field says the value is undefined rather than vanishing.
     */
    private static JsonWriter nonFinite(JsonWriter out) throws IOException {
        boolean serializeNulls = out.getSerializeNulls();
        out.setSerializeNulls(true);
        try {
            return out.nullValue();
        } finally {
            out.setSerializeNulls(serializeNulls);
        }
    }

    /** double/float and their boxes: non-finite values write as null; null reads as NaN into a primitive. */
    private static final class Floating extends TypeAdapter<Number> {
        private final boolean primitive;
        private final boolean isFloat;

        Floating(boolean primitive, boolean isFloat) {
            this.primitive = primitive;
            this.isFloat = isFloat;
        }

        @Override
        public void write(JsonWriter out, Number value) throws IOException {
            if (value == null) {
                out.nullValue();
            } else if (!Double.isFinite(value.doubleValue())) {
                nonFinite(out);
            } else if (isFloat) {
                out.value((Number) value.floatValue()); // Float.toString, as Gson writes floats
            } else {
                out.value(value.doubleValue());
            }
        }

        @Override
        public Number read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                if (!primitive) {
                    return null;
                }
                return isFloat ? (Number) Float.NaN : (Number) Double.NaN;
            }
            double v = in.nextDouble();
            return isFloat ? (Number) (float) v : (Number) v;
        }
    }

    /** A JsonWriter that writes any non-finite number as null, whoever hands it over. */
    private static final class FiniteWriter extends JsonWriter {
        FiniteWriter(JsonWriter settings, Writer out) {
            super(out);
            setFormattingStyle(settings.getFormattingStyle());
            setHtmlSafe(settings.isHtmlSafe());
            setSerializeNulls(settings.getSerializeNulls());
            // Anything non-finite that still reached the writer unconverted would fail rather than be written.
            setStrictness(Strictness.STRICT);
        }

        @Override
        public JsonWriter value(double value) throws IOException {
            return Double.isFinite(value) ? super.value(value) : nonFinite(this);
        }

        @Override
        public JsonWriter value(float value) throws IOException {
            return Float.isFinite(value) ? super.value(value) : nonFinite(this);
        }

        @Override
        public JsonWriter value(Number value) throws IOException {
            if (value != null) {
                String s = value.toString();
                if (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity")) {
                    return nonFinite(this);
                }
            }
            return super.value(value);
        }
    }
}
