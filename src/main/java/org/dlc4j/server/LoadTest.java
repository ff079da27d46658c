package org.dlc4j.server;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.dlc4j.util.DlcIoException;
import org.dlc4j.util.Home;
import org.dlc4j.util.Listener;
import org.dlc4j.util.ProcessMemory;

/**
 * A bounded load test of {@code dlc serve} on loopback: a real server on an ephemeral port in this JVM, {@code clients}
 * threads each sending {@code requests} mixed requests (encode a gallery image or an upload, decode, edit, compose,
 * prompt, sample), in {@code rounds} equal rounds; it reports latency percentiles per endpoint, throughput, every
 * status seen, and the process's resident memory after a warm-up and after each round (flat when the native memory of
 * each request is released). Every request has a client time-out and the run a deadline, so it always ends.
 */
public final class LoadTest {
    /**
     * @param clients   concurrent clients
     * @param requests  requests per client per round
     * @param rounds    rounds (RSS is read after each)
     * @param workers   the server's workers
     * @param queue     the server's queue (beyond it: 503, counted apart from errors)
     * @param images    images per generating request
     * @param steps     DiT steps per generating request
     */
    public record Options(Path models, int clients, int requests, int rounds, int workers, int queue, int images, int steps) {
        public Options {
            if (clients < 1 || requests < 1 || rounds < 1 || images < 1 || steps < 1) {
                throw org.dlc4j.util.InvalidInputException.of("clients", "clients, requests, rounds, images and steps must be ≥ 1");
            }
        }

        public static Options defaults() {
            return new Options(Home.models(), 8, 50, 2, 1, 8, 2, 25);
        }
    }

    /** One endpoint's figures. */
    public record Stats(String endpoint, int count, double p50Ms, double p95Ms, double maxMs) {}

    /**
     * @param statuses     how many responses had each HTTP status
     * @param errors       responses other than 200 and the intended 503, plus requests that got no answer
     * @param rssMb        resident memory after the warm-up, then after each round
     * @param heapMb       the Java heap committed at the same moments (RSS − heap is the native side: libtorch, Jetty's buffers)
     */
    public record Report(Options options, int requests, double seconds, double requestsPerSecond, Stats overall, List<Stats> endpoints,
                         Map<Integer, Integer> statuses, int errors, List<String> errorSamples, double[] rssMb, double[] heapMb) {
        public String markdown() {
            StringBuilder s = new StringBuilder();
            s.append(String.format(Locale.ROOT, "%d clients × %d requests × %d rounds (%d images, %d DiT steps each; %d worker, queue %d): %d requests"
                            + " in %.1f s, %.2f requests/s; statuses %s; errors %d; RSS %s MB, of which Java heap %s MB (after warm-up, then each"
                            + " round)%n%n",
                    options.clients(), options.requests(), options.rounds(), options.images(), options.steps(), options.workers(), options.queue(),
                    requests, seconds, requestsPerSecond, statuses, errors, rounded(rssMb), rounded(heapMb)));
            s.append("| endpoint | requests | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|\n");
            List<Stats> rows = new ArrayList<>(endpoints);
            rows.add(overall);
            for (Stats e : rows) {
                s.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f |%n", e.endpoint(), e.count(), e.p50Ms(), e.p95Ms(), e.maxMs()));
            }
            return s.toString();
        }
    }

    private static String rounded(double[] mb) {
        return Arrays.toString(Arrays.stream(mb).mapToLong(Math::round).toArray());
    }

    private record Sample(String endpoint, int status, double ms, String error) {}

    private static final String[] MIX = {"encode", "decode", "edit", "compose", "prompt", "generate", "encode-upload", "decode"};

    private LoadTest() {}

    public static Report run(Options o) {
        var d = DlcServer.Options.defaults(o.models());
        byte[] upload;
        try {
            upload = Files.readAllBytes(Home.dir().resolve("assets/fmnist/queries/test01000.png"));
        } catch (IOException e) {
            throw new DlcIoException("cannot read the upload image: " + e.getMessage(), e);
        }
        try (DlcServer server = DlcServer.start(new DlcServer.Options("127.0.0.1", 0, d.models(), o.workers(), o.queue(), Math.max(o.images(),
                d.maxImages()), d.maxSteps(), d.maxBodyBytes(), d.timeoutSeconds()))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            for (String kind : MIX) {
                send(http, server, kind, 0, 0, o, upload); // warm-up: every path once
            }
            List<Double> rss = new ArrayList<>(List.of(rssMb()));
            List<Double> heap = new ArrayList<>(List.of(heapMb()));
            ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            long start = System.nanoTime();
            for (int round = 0; round < o.rounds(); round++) {
                CountDownLatch done = new CountDownLatch(o.clients());
                for (int c = 0; c < o.clients(); c++) {
                    int client = c;
                    int r0 = round;
                    Thread t = new Thread(() -> {
                        try {
                            for (int i = 0; i < o.requests() && System.nanoTime() < deadline; i++) {
                                String kind = MIX[(client + i) % MIX.length];
                                samples.add(send(http, server, kind, client, r0 * o.requests() + i, o, upload));
                            }
                        } finally {
                            done.countDown();
                        }
                    }, "load-client-" + c);
                    t.setDaemon(true);
                    t.start();
                }
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                rss.add(rssMb());
                heap.add(heapMb());
                Listener.current().progress("load test", round + 1, o.rounds(), samples.size() + " requests");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Listener.current().done("load test");
            List<Sample> all = new ArrayList<>(samples);
            Map<Integer, Integer> statuses = new TreeMap<>();
            int errors = 0;
            List<String> errorSamples = new ArrayList<>();
            for (Sample s : all) {
                statuses.merge(s.status(), 1, Integer::sum);
                if (s.status() != 200 && s.status() != 503) {
                    errors++;
                    if (errorSamples.size() < 5) {
                        errorSamples.add(s.endpoint() + ": " + s.status() + " " + s.error());
                    }
                }
            }
            Map<String, List<Double>> byEndpoint = new LinkedHashMap<>();
            for (Sample s : all) {
                if (s.status() == 200) {
                    byEndpoint.computeIfAbsent(s.endpoint(), k -> new ArrayList<>()).add(s.ms());
                }
            }
            List<Stats> endpoints = new ArrayList<>();
            List<Double> ok = new ArrayList<>();
            for (var e : byEndpoint.entrySet()) {
                endpoints.add(stats(e.getKey(), e.getValue()));
                ok.addAll(e.getValue());
            }
            return new Report(o, all.size(), seconds, all.size() / seconds, stats("all (200s)", ok), endpoints, statuses, errors, errorSamples,
                    rss.stream().mapToDouble(Double::doubleValue).toArray(), heap.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    private static Stats stats(String name, List<Double> ms) {
        double[] v = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return new Stats(name, 0, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Stats(name, v.length, quantile(v, 0.5), quantile(v, 0.95), v[v.length - 1]);
    }

    /** The nearest-rank quantile. */
    private static double quantile(double[] sorted, double q) {
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static Sample send(HttpClient http, DlcServer server, String kind, int client, int i, Options o, byte[] upload) {
        int g = (client * 131 + i * 17) % 1000;
        String common = String.format(Locale.ROOT, "\"n\": %d, \"steps\": %d, \"seed\": %d", o.images(), o.steps(), client * 100_000 + i);
        String path;
        String type = "application/json";
        byte[] body;
        switch (kind) {
            case "encode" -> {
                path = "api/encode";
                body = ("{\"gallery\": " + g + "}").getBytes(StandardCharsets.UTF_8);
            }
            case "encode-upload" -> {
                path = "api/encode";
                type = "image/png";
                body = upload;
            }
            case "decode" -> {
                path = "api/decode";
                body = ("{\"code\": {\"gallery\": " + g + "}, " + common + "}").getBytes(StandardCharsets.UTF_8);
            }
            case "edit" -> {
                path = "api/edit";
                StringBuilder keep = new StringBuilder();
                for (int p = 0; p < 32; p++) {
                    keep.append(p == 0 ? "" : ",").append(p % 2 == 0);
                }
                body = ("{\"code\": {\"gallery\": " + g + "}, \"keep\": [" + keep + "], \"priorSteps\": 32, " + common + "}").getBytes(StandardCharsets.UTF_8);
            }
            case "compose" -> {
                path = "api/compose";
                body = ("{\"codes\": [{\"gallery\": " + g + "}, {\"gallery\": " + (g + 1) % 1000 + "}], " + common + "}").getBytes(StandardCharsets.UTF_8);
            }
            case "prompt" -> {
                path = "api/prompt";
                body = ("{\"prompt\": \"a photo of a " + (i % 2 == 0 ? "sneaker" : "dress") + "\", " + common + "}").getBytes(StandardCharsets.UTF_8);
            }
            case "generate" -> {
                path = "api/generate";
                body = ("{\"priorSteps\": 32, " + common + "}").getBytes(StandardCharsets.UTF_8);
            }
            default -> throw new IllegalArgumentException(kind);
        }
        HttpRequest request = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(300)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            double ms = (System.nanoTime() - t0) / 1e6;
            return new Sample(kind, r.statusCode(), ms, r.statusCode() == 200 ? null : r.body());
        } catch (IOException e) {
            return new Sample(kind, -1, (System.nanoTime() - t0) / 1e6, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Sample(kind, -1, (System.nanoTime() - t0) / 1e6, "interrupted");
        }
    }

    private static double rssMb() {
        return ProcessMemory.rssKb()[0] / 1024;
    }

    /** The Java heap committed now, in MB. */
    static double heapMb() {
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1048576.0;
    }
}
