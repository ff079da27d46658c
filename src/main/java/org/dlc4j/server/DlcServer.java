package org.dlc4j.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.dlc4j.Code;
import org.dlc4j.Dlc;
import org.dlc4j.Gallery;
import org.dlc4j.GeneratedImage;
import org.dlc4j.Sampling;
import org.dlc4j.io.Json;
import org.dlc4j.nn.GradMode;
import org.dlc4j.util.DlcException;
import org.dlc4j.util.DlcIoException;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.StoppedException;

/**
 * {@code dlc serve}: the web app and the JSON API it runs on, over {@link Dlc}. One page (served from the jar, so it
 * works offline) encodes, edits, composes, prompts and samples; every action is a POST that answers JSON, or, with
 * {@code ?stream=true}, a stream of server-sent events (progress, the images forming over the denoising steps, then
 * the result). The API is described by {@code /openapi.json}.
 *
 * <p>Bad input gets a 4xx and one JSON object {@code {"error": …, "parameter": …}}; generation runs on a bounded
 * {@link Workers} queue (503 with Retry-After beyond it) with a time limit per request (504).
 */
public final class DlcServer implements AutoCloseable {
    /**
     * @param host           the address to bind (127.0.0.1: this machine only)
     * @param port           0 picks a free port
     * @param workers        generations at once, each with its own copy of the models
     * @param queue          requests that may wait for a worker before the server answers 503
     * @param maxImages      the most images one request may ask for
     * @param maxSteps       the most sampling steps one request may ask for
     * @param maxBodyBytes   the largest request body (an upload or JSON)
     * @param timeoutSeconds a request still running (or waiting) after this long is stopped (504)
     */
    public record Options(String host, int port, Path models, int workers, int queue, int maxImages, int maxSteps, long maxBodyBytes,
                          int timeoutSeconds) {
        public Options {
            if (port < 0 || port > 65535) {
                throw InvalidInputException.of("port", "port must be 0..65535 (0: any free port), not " + port);
            }
            atLeast("workers", workers, 1);
            atLeast("queue", queue, 0);
            atLeast("max-images", maxImages, 1);
            atLeast("max-steps", maxSteps, 1);
            atLeast("timeout", timeoutSeconds, 1);
            if (maxBodyBytes < 1024) {
                throw InvalidInputException.of("max-body", "max-body must be at least 1024 bytes, not " + maxBodyBytes);
            }
        }

        private static void atLeast(String name, long value, long min) {
            if (value < min) {
                throw InvalidInputException.of(name, name + " must be at least " + min + ", not " + value);
            }
        }

        public static Options defaults(Path models) {
            return new Options("127.0.0.1", 8080, models, 1, 8, 16, 250, 10L << 20, 120);
        }
    }

    static final int NEIGHBOURS = 8;
    /** What a request leaves out (also told to the page by /api/info): fewer images and steps than the CLI, for speed. */
    private static final int DEFAULT_N = 4;
    private static final int DEFAULT_STEPS = 25;
    private static final double DEFAULT_GUIDANCE = 1.0;
    private static final int DEFAULT_PRIOR_STEPS = 64;
    /** Responses are read by people with curl too: quotes and '=' stay as they are, not \u0027 escapes. */
    private static final com.google.gson.Gson GSON = Json.builder().disableHtmlEscaping().create();
    private static final Set<String> SAMPLING = Set.of("model", "n", "steps", "guidance", "seed");

    private final Options options;
    private final Workers workers;
    private final Javalin app;
    private final Gallery gallery;
    private final int length;
    private final int vocab;
    private final int imageSize;
    private final int imageChannels;
    private final String modelName;

    /** What the server learns from its models before it serves. */
    private record Probe(Gallery gallery, int length, int vocab, int imageSize, int imageChannels) {}

    private DlcServer(Options options) {
        this.options = options;
        GradMode.off(); // libtorch is loaded by the starting thread, which keeps its usual no-recording mode
        this.workers = new Workers(options.models(), options.workers(), options.queue());
        try {
            // Loads the models once before serving: a folder that cannot serve fails here, not on the first request.
            Probe probe = await(workers.submit(d -> new Probe(d.gallery(), d.codeLength(), d.vocabulary(), d.imageSize(), d.imageChannels()), Listener.SILENT),
                    600);
            this.gallery = probe.gallery();
            this.length = probe.length();
            this.vocab = probe.vocab();
            this.imageSize = probe.imageSize();
            this.imageChannels = probe.imageChannels();
        } catch (RuntimeException e) {
            workers.close();
            throw e;
        }
        Path folder = options.models().toAbsolutePath().normalize();
        this.modelName = folder.equals(org.dlc4j.util.Home.models().toAbsolutePath().normalize()) ? "shipped" : folder.getFileName().toString();
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = options.maxBodyBytes();
            config.http.prefer405over404 = true;
            config.jetty.multipartConfig.maxFileSize(options.maxBodyBytes(), io.javalin.config.SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(options.maxBodyBytes(), io.javalin.config.SizeUnit.BYTES);
            config.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/org/dlc4j/server/web";
                s.location = Location.CLASSPATH;
            });
        });
        routes();
    }

    /** Loads the models, then serves on {@code options.host()}:{@code options.port()} until {@link #close}. */
    public static DlcServer start(Options options) {
        DlcServer server = new DlcServer(options);
        try {
            server.app.start(options.host(), options.port());
        } catch (RuntimeException e) {
            server.close();
            throw InvalidInputException.of("port", "cannot listen on " + options.host() + ":" + options.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()) + "; choose another port (0: any free one)");
        }
        return server;
    }

    /** The port the server listens on (the one chosen when 0 was asked for). */
    public int port() {
        return app.port();
    }

    public URI uri() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port() + "/");
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        workers.close();
    }

    private void routes() {
        app.before("/api/*", ctx -> {
            long declared = ctx.req().getContentLengthLong();
            if (declared > options.maxBodyBytes()) {
                throw new ApiError(413, null, "the request body is " + declared + " bytes; the limit is " + options.maxBodyBytes()
                        + " (send a smaller image)");
            }
        });
        app.get("/api/info", ctx -> json(ctx, info()));
        app.get("/api/gallery", ctx -> json(ctx, galleryList()));
        app.get("/api/gallery/{file}", this::galleryImage);
        app.post("/api/encode", this::encode);
        app.post("/api/decode", ctx -> generate(ctx, Set.of("code"), (body, s) -> {
            Code code = code(body.object("code"), "code");
            return d -> d.decode(d.code(code.tokens()), s.n, s.sampling);
        }));
        app.post("/api/edit", ctx -> generate(ctx, Set.of("code", "keep", "priorSteps"), (body, s) -> {
            Code code = code(body.object("code"), "code");
            boolean[] keep = Body.booleans(body.array("keep"), "keep");
            if (keep.length != length) {
                throw ApiError.bad("keep", "keep has " + keep.length + " flags; a code has " + length + " positions");
            }
            Sampling sampling = s.sampling.withPriorSteps(body.integer("priorSteps", DEFAULT_PRIOR_STEPS, 1, options.maxSteps()));
            return d -> d.infill(d.code(code.tokens()), keep, s.n, sampling);
        }));
        app.post("/api/compose", ctx -> generate(ctx, Set.of("codes", "weights", "mixing"), (body, s) -> {
            JsonArray array = body.array("codes");
            if (array.size() < 2 || array.size() > 8) {
                throw ApiError.bad("codes", "compose 2 to 8 codes, not " + array.size());
            }
            List<Code> codes = new java.util.ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                if (!array.get(i).isJsonObject()) {
                    throw ApiError.bad("codes", "codes[" + i + "] must be an object: {\"tokens\": […]} or {\"gallery\": index}");
                }
                codes.add(code(array.get(i).getAsJsonObject(), "codes[" + i + "]"));
            }
            double[] weights = body.has("weights") ? Body.numbers(body.array("weights"), "weights") : null;
            if (weights != null && weights.length != codes.size()) {
                throw ApiError.bad("weights", "give one weight per code: " + codes.size() + ", not " + weights.length);
            }
            String mixing = body.string("mixing", "tokens");
            Dlc.Mixing m = switch (mixing) {
                case "tokens" -> Dlc.Mixing.TOKENS;
                case "distributions" -> Dlc.Mixing.DISTRIBUTIONS;
                default -> throw ApiError.bad("mixing", "mixing must be tokens or distributions, not '" + mixing + "'");
            };
            return d -> d.compose(codes, weights, m, s.n, s.sampling);
        }));
        app.post("/api/prompt", ctx -> generate(ctx, Set.of("prompt", "textGuidance"), (body, s) -> {
            String prompt = body.string("prompt", "");
            if (prompt.isBlank() || prompt.length() > 500) {
                throw ApiError.bad("prompt", "prompt must hold 1 to 500 characters, e.g. \"a photo of a sneaker\"");
            }
            Sampling sampling = s.sampling.withTextGuidance(body.number("textGuidance", s.sampling.textGuidance(), 0, 20));
            return d -> d.fromPrompt(prompt, s.n, sampling);
        }));
        app.post("/api/generate", ctx -> generate(ctx, Set.of("priorSteps"), (body, s) -> {
            Sampling sampling = s.sampling.withPriorSteps(body.integer("priorSteps", DEFAULT_PRIOR_STEPS, 1, options.maxSteps()));
            return d -> d.generate(s.n, sampling);
        }));
        app.exception(Exception.class, (e, ctx) -> error(ctx, e));
        app.error(404, ctx -> {
            if (ctx.path().startsWith("/api") && !isJson(ctx)) {
                error(ctx, new ApiError(404, null, "no endpoint " + ctx.method() + " " + ctx.path() + ": see /openapi.json"));
            }
        });
        app.error(405, ctx -> error(ctx, new ApiError(405, null, ctx.method() + " is not allowed on " + ctx.path() + ": see /openapi.json")));
        app.error(413, ctx -> {
            if (!isJson(ctx)) {
                error(ctx, new ApiError(413, null, "the request body is larger than the " + options.maxBodyBytes() + "-byte limit"));
            }
        });
    }

    private JsonObject info() {
        JsonObject o = new JsonObject();
        o.addProperty("model", modelName);
        o.addProperty("codeLength", length);
        o.addProperty("vocabulary", vocab);
        o.addProperty("imageSize", imageSize);
        o.addProperty("imageChannels", imageChannels);
        o.add("classes", Json.GSON.toJsonTree(gallery.classNames()));
        JsonObject limits = new JsonObject();
        limits.addProperty("maxImages", options.maxImages());
        limits.addProperty("maxSteps", options.maxSteps());
        limits.addProperty("maxBodyBytes", options.maxBodyBytes());
        limits.addProperty("workers", options.workers());
        limits.addProperty("queue", options.queue());
        limits.addProperty("timeoutSeconds", options.timeoutSeconds());
        o.add("limits", limits);
        JsonObject defaults = new JsonObject();
        defaults.addProperty("n", DEFAULT_N);
        defaults.addProperty("steps", DEFAULT_STEPS);
        defaults.addProperty("guidance", DEFAULT_GUIDANCE);
        defaults.addProperty("priorSteps", DEFAULT_PRIOR_STEPS);
        defaults.addProperty("textGuidance", Sampling.defaults().textGuidance());
        o.add("defaults", defaults);
        return o;
    }

    private JsonObject galleryList() {
        JsonObject o = new JsonObject();
        o.addProperty("count", gallery.size());
        o.add("classes", Json.GSON.toJsonTree(gallery.classNames()));
        o.add("labels", Json.GSON.toJsonTree(gallery.labels()));
        return o;
    }

    private void galleryImage(Context ctx) throws IOException {
        String file = ctx.pathParam("file");
        int index = galleryIndex(file.endsWith(".png") ? file.substring(0, file.length() - 4) : file, "index");
        ctx.contentType("image/png").header("Cache-Control", "max-age=86400").result(png(gallery.images().get(index)));
    }

    private int galleryIndex(String text, String parameter) {
        try {
            int i = Integer.parseInt(text);
            if (i >= 0 && i < gallery.size()) {
                return i;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiError(404, parameter, "no gallery image '" + text + "': the gallery holds 0.." + (gallery.size() - 1));
    }

    /** POST /api/encode: an uploaded picture (multipart field "image", or a raw image/png or image/jpeg body) or a gallery index. */
    private void encode(Context ctx) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(java.util.Locale.ROOT);
        BufferedImage image;
        Integer index = null;
        if (type.startsWith("application/json")) {
            Body body = Body.parse(readBody(ctx), Set.of("gallery", "model"));
            model(body);
            index = body.integer("gallery", -1, 0, gallery.size() - 1);
            if (index < 0) {
                throw ApiError.bad("gallery", "give a gallery index, e.g. {\"gallery\": 3}, or upload an image");
            }
            image = gallery.images().get(index);
        } else if (type.startsWith("multipart/form-data")) {
            var file = ctx.uploadedFile("image");
            if (file == null) {
                throw ApiError.bad("image", "the form has no file field 'image': send the picture as image=@file.png");
            }
            try (InputStream in = file.content()) {
                image = decodeImage(in.readAllBytes());
            }
        } else if (type.startsWith("image/")) {
            image = decodeImage(readBytes(ctx));
        } else {
            throw new ApiError(415, "image", "send a PNG or JPEG image (multipart field 'image', or the raw bytes with Content-Type"
                    + " image/png) or JSON {\"gallery\": index}, not '" + (type.isEmpty() ? "no content type" : type) + "'");
        }
        final Integer galleryIndex = index;
        final BufferedImage picture = image;
        JsonObject result = await(workers.submit(d -> {
            Code code = galleryIndex != null ? gallery.codes().get(galleryIndex) : d.encode(picture);
            JsonObject o = new JsonObject();
            o.addProperty("view", dataUrl(galleryIndex != null ? picture : d.viewOf(picture)));
            o.add("code", codeJson(code, true));
            JsonArray nearest = new JsonArray();
            for (Gallery.Neighbour nb : gallery.nearest(code, NEIGHBOURS)) {
                JsonObject n = new JsonObject();
                n.addProperty("index", nb.index());
                n.addProperty("className", gallery.className(nb.index()));
                n.addProperty("shared", nb.shared());
                nearest.add(n);
            }
            o.add("nearest", nearest);
            return o;
        }, deadline()), options.timeoutSeconds());
        json(ctx, result);
    }

    private BufferedImage decodeImage(byte[] bytes) {
        BufferedImage image;
        try {
            image = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            image = null;
        }
        if (image == null) {
            throw new ApiError(415, "image", "the upload is not a PNG or JPEG image this server can read (" + bytes.length + " bytes)");
        }
        if ((long) image.getWidth() * image.getHeight() > 40_000_000L) {
            throw new ApiError(413, "image", "the image is " + image.getWidth() + "×" + image.getHeight() + " pixels; send at most 40 megapixels");
        }
        return image;
    }

    /** The sampling settings every generating endpoint shares. */
    private record Common(int n, Sampling sampling) {}

    @FunctionalInterface
    private interface Endpoint {
        Function<Dlc, List<GeneratedImage>> prepare(Body body, Common common);
    }

    /**
     * A generating POST: the body is read and checked here, on the request thread (bad input never takes a worker),
     * then the work is queued; the answer is the images as JSON, or a stream of events with {@code ?stream=true}.
     */
    private void generate(Context ctx, Set<String> fields, Endpoint endpoint) throws IOException {
        Set<String> known = new java.util.HashSet<>(SAMPLING);
        known.addAll(fields);
        Body body = Body.parse(readJsonBody(ctx), known);
        model(body);
        int n = body.integer("n", DEFAULT_N, 1, options.maxImages());
        long seed = body.has("seed") ? body.seed("seed", 0) : (System.nanoTime() & 0xFFFFFFL);
        Sampling sampling = Sampling.defaults().withSeed(seed).withSteps(body.integer("steps", DEFAULT_STEPS, 1, options.maxSteps()))
                .withGuidance(body.number("guidance", DEFAULT_GUIDANCE, 0, 20));
        Function<Dlc, List<GeneratedImage>> work = endpoint.prepare(body, new Common(n, sampling));
        long started = System.nanoTime();
        Function<List<GeneratedImage>, JsonObject> answer = images -> {
            JsonObject o = new JsonObject();
            o.addProperty("seed", seed);
            o.addProperty("steps", sampling.steps());
            o.addProperty("guidance", sampling.guidance());
            o.addProperty("seconds", (System.nanoTime() - started) / 1e9);
            JsonArray list = new JsonArray();
            for (GeneratedImage g : images) {
                JsonObject i = new JsonObject();
                i.addProperty("png", dataUrl(g.image()));
                i.add("code", codeJson(g.code(), false));
                list.add(i);
            }
            o.add("images", list);
            return o;
        };
        if ("true".equals(ctx.queryParam("stream"))) {
            stream(ctx, work, answer);
        } else {
            json(ctx, await(workers.submit(d -> answer.apply(work.apply(d)), deadline()), options.timeoutSeconds()));
        }
    }

    /** Server-sent events: progress and preview while the work runs, then one result (or error) event. */
    private void stream(Context ctx, Function<Dlc, List<GeneratedImage>> work, Function<List<GeneratedImage>, JsonObject> answer)
            throws IOException {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.timeoutSeconds());
        var gone = new java.util.concurrent.atomic.AtomicBoolean();
        Listener listener = new Listener() {
            @Override
            public void message(String line) {
            }

            @Override
            public void progress(String task, long step, long total, String status) {
                JsonObject o = new JsonObject();
                o.addProperty("task", task);
                o.addProperty("step", step);
                o.addProperty("total", total);
                events.add(event("progress", o));
            }

            @Override
            public boolean wantsPreviews() {
                return true;
            }

            @Override
            public void preview(String task, long step, long total, float[] images, int count, int size) {
                JsonObject o = new JsonObject();
                o.addProperty("step", step);
                o.addProperty("total", total);
                JsonArray list = new JsonArray();
                int per = size * size;
                for (int i = 0; i < count; i++) {
                    float[] one = java.util.Arrays.copyOfRange(images, i * per, (i + 1) * per);
                    for (int p = 0; p < per; p++) {
                        one[p] = Math.max(-1f, Math.min(1f, one[p]));
                    }
                    list.add(dataUrl(org.dlc4j.report.ImageGrid.toImage(one, 1, 1, size, size, 1, 0, 1)));
                }
                o.add("images", list);
                events.add(event("preview", o));
            }

            @Override
            public boolean stopRequested() {
                return gone.get() || System.nanoTime() > deadline;
            }
        };
        CompletableFuture<JsonObject> future = workers.submit(d -> answer.apply(work.apply(d)), listener);
        future.whenComplete((result, failure) -> events.add(failure == null ? event("result", result) : event("error", errorJson(failure))));
        ctx.status(200);
        ctx.res().setContentType("text/event-stream;charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        while (true) {
            String e;
            try {
                e = events.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                gone.set(true);
                return;
            }
            if (e == null) {
                continue;
            }
            try {
                out.write(e.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException io) {
                gone.set(true); // the client left: the work stops at its next step
                return;
            }
            if (e.startsWith("event: result") || e.startsWith("event: error")) {
                return;
            }
        }
    }

    private static String event(String name, JsonObject data) {
        return "event: " + name + "\ndata: " + Json.write(GSON, data) + "\n\n";
    }

    private Listener deadline() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.timeoutSeconds());
        return new Listener() {
            @Override
            public void message(String line) {
            }

            @Override
            public boolean stopRequested() {
                return System.nanoTime() > deadline;
            }
        };
    }

    private static <T> T await(CompletableFuture<T> future, int seconds) {
        try {
            // The worker stops itself at the deadline; the extra margin covers one last step.
            return future.get(seconds + 30L, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new ApiError(504, null, "the request took longer than " + seconds + " s: ask for fewer images or steps");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, null, "the server is shutting down");
        }
    }

    /** A request's "model" must name the one this server serves. */
    private void model(Body body) {
        String model = body.string("model", modelName);
        if (!model.equals(modelName)) {
            throw new ApiError(404, "model", "unknown model '" + model + "': this server serves '" + modelName + "' (see /api/info)");
        }
    }

    /** A code from JSON: {"tokens": [L numbers in 0..V−1], "distributions": [L·V numbers]?} or {"gallery": index}. */
    private Code code(JsonObject o, String field) {
        if (o.has("gallery")) {
            JsonElement g = o.get("gallery");
            if (!g.isJsonPrimitive() || !g.getAsJsonPrimitive().isNumber()) {
                throw ApiError.bad(field, field + ".gallery must be a gallery index");
            }
            return gallery.codes().get(galleryIndex(g.getAsString(), field));
        }
        if (!o.has("tokens") || !o.get("tokens").isJsonArray()) {
            throw ApiError.bad(field, field + " needs \"tokens\": an array of " + length + " numbers in 0.." + (vocab - 1));
        }
        int[] tokens = Body.ints(o.getAsJsonArray("tokens"), field + ".tokens", 0, vocab - 1);
        if (tokens.length != length) {
            throw ApiError.bad(field, field + " has " + tokens.length + " tokens; the models read codes of L = " + length);
        }
        float[] distributions = null;
        if (o.has("distributions") && !o.get("distributions").isJsonNull()) {
            double[] d = Body.numbers(o.getAsJsonArray("distributions"), field + ".distributions");
            if (d.length != length * vocab) {
                throw ApiError.bad(field, field + ".distributions holds " + d.length + " numbers, not L×V = " + length * vocab);
            }
            distributions = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                distributions[i] = (float) d[i];
            }
        }
        String encoder = gallery.codes().get(0).encoderSha256();
        return new Code(tokens, vocab, encoder, distributions);
    }

    private static JsonObject codeJson(Code code, boolean withDistributions) {
        JsonObject o = new JsonObject();
        o.add("tokens", Json.GSON.toJsonTree(code.tokens()));
        o.addProperty("vocabulary", code.vocab());
        o.addProperty("encoder", code.encoderSha256());
        if (withDistributions && code.distributions() != null) {
            JsonArray d = new JsonArray();
            for (float v : code.distributions()) {
                d.add(Math.round(v * 1e5) / 1e5); // five decimals: the mixing needs no more, the page loads faster
            }
            o.add("distributions", d);
        }
        return o;
    }

    private String readJsonBody(Context ctx) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(java.util.Locale.ROOT);
        if (!type.isEmpty() && !type.startsWith("application/json")) {
            throw new ApiError(415, null, "send JSON with Content-Type application/json, not '" + type + "'");
        }
        return readBody(ctx);
    }

    private String readBody(Context ctx) throws IOException {
        return new String(readBytes(ctx), StandardCharsets.UTF_8);
    }

    /** The body, refused past the limit even when its length was not declared (chunked). */
    private byte[] readBytes(Context ctx) throws IOException {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxBodyBytes() + 1));
            if (bytes.length > options.maxBodyBytes()) {
                throw new ApiError(413, null, "the request body is larger than the " + options.maxBodyBytes() + "-byte limit");
            }
            return bytes;
        }
    }

    private static void json(Context ctx, JsonObject o) {
        ctx.contentType("application/json").result(Json.write(GSON, o));
    }

    private static boolean isJson(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith("application/json");
    }

    private void error(Context ctx, Throwable e) {
        JsonObject o = errorJson(e);
        int status = o.remove("status").getAsInt();
        if (e instanceof ApiError a && a.retryAfterSeconds > 0) {
            ctx.header("Retry-After", Integer.toString(a.retryAfterSeconds));
        }
        ctx.status(status);
        json(ctx, o);
    }

    /** The error body (with its status, removed before sending); never a stack trace. */
    private static JsonObject errorJson(Throwable e) {
        if (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        int status;
        String parameter = null;
        String message = e.getMessage();
        if (e instanceof ApiError a) {
            status = a.status;
            parameter = a.parameter;
        } else if (e instanceof StoppedException) {
            status = 504;
            message = "the request ran out of time: ask for fewer images or steps";
        } else if (e instanceof DlcIoException d) {
            status = 500;
            parameter = d.parameter();
        } else if (e instanceof DlcException d) {
            status = 400;
            parameter = d.parameter();
        } else if (e instanceof io.javalin.http.HttpResponseException h) {
            status = h.getStatus();
        } else if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("exceeds max")) {
            status = 413;
            message = "the upload is larger than the server's limit";
        } else {
            status = 500;
            message = "internal error (" + e.getClass().getSimpleName() + "): " + e.getMessage();
        }
        JsonObject o = new JsonObject();
        o.addProperty("error", message);
        if (parameter != null) {
            o.addProperty("parameter", parameter);
        }
        o.addProperty("status", status);
        return o;
    }

    static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String dataUrl(BufferedImage image) {
        return "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png(image));
    }
}
