package org.dlc4j.experiments;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.diffusion.gaussian.SamplerConfig;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Reference;
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.pipeline.Conditioned;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.report.Plots;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * Figure 4: FD, KID and conditional accuracy of DiT snapshots against the training images each has seen. Every model
 * samples n images conditioned on the first n test images (each image's class, code or SEM vector as the model reads
 * it) and is scored against Fashion-MNIST test. Rows already in the CSV for the same model file and settings are
 * reused, so the curve can be built a few models at a time.
 */
public final class DitCurve {
    public static final String HEADER = "model,sha256,conditioning,images_seen,train_seconds,n,sampler,steps,scale,fd,kid,accuracy";
    /** The header before training seconds were recorded: its rows read with NaN seconds. */
    static final String OLD_HEADER = "model,sha256,conditioning,images_seen,n,sampler,steps,scale,fd,kid,accuracy";

    /**
     * @param sampler how the sampler is named in the CSV and the plot (e.g. "ddim 25")
     * @param encoder the SEM encoder for DLC and SEM models (null: the one each model was trained on, from the store)
     */
    public record Settings(int n, SamplerConfig sampling, String sampler, double scale, Path encoder, long seed) {
        public Settings {
            if (n < 2) {
                throw InvalidInputException.of("n", "n must be at least 2 (FD needs a covariance)");
            }
        }
    }

    /** One scored model; {@code key} identifies the model file and the sampling settings. */
    public record Row(String model, String sha, String conditioning, long imagesSeen, double trainSeconds, int n, String sampler, int steps,
                      double scale, double fd, double kid, double accuracy) {
        public String key() {
            return String.format(Locale.ROOT, "%s|%d|%s|%d|%.3f", sha, n, sampler, steps, scale);
        }

        public String csv() {
            return String.format(Locale.ROOT, "%s,%s,%s,%d,%.0f,%d,%s,%d,%.3f,%.4f,%.6f,%.4f", model, sha, conditioning, imagesSeen, trainSeconds, n,
                    sampler, steps, scale, fd, kid, accuracy);
        }

        public static Row parse(String line) {
            String[] f = line.split(",");
            return new Row(f[0], f[1], f[2], Long.parseLong(f[3]), Double.parseDouble(f[4]), Integer.parseInt(f[5]), f[6], Integer.parseInt(f[7]),
                    Double.parseDouble(f[8]), Double.parseDouble(f[9]), Double.parseDouble(f[10]), Double.parseDouble(f[11]));
        }
    }

    private DitCurve() {}

    /**
     * Scores every model not yet in {@code out}/curve.csv, conditioned on {@code test} (its first n images), writing the CSV
     * after each, then plots curve.png.
     */
    public static void run(NDManager manager, Settings s, List<Path> models, ImageDataset test, FeatureNet net, Reference reference, Path out) {
        Path csv = out.resolve("curve.csv");
        Map<String, Row> rows = readRows(csv);
        int steps = s.sampling().steps();
        for (Path m : models) {
            try (NDManager scope = manager.newSubManager(); TrainedDit dit = TrainedDit.load(scope, m)) {
                String cond = dit.model().config().conditioning().name().toLowerCase(Locale.ROOT);
                // the pooling is part of the series name so that mean and √L-scaled code runs plot as two lines
                String label = dit.model().config().scaledCodes() ? cond + "-scaled" : cond;
                Row probe = new Row(m.toString(), dit.sha256(), label, dit.imagesSeen(), dit.trainSeconds(), s.n(), s.sampler(), steps, s.scale(), 0, 0, 0);
                if (rows.containsKey(probe.key())) {
                    continue;
                }
                Path encoder = s.encoder() != null ? s.encoder() : ModelStore.shipped().encoderFor(dit.encoderSha());
                var conditioned = Conditioned.fromImages(scope, dit, test, encoder, s.n());
                float[] images = DitSampling.sample(scope, dit.model(), conditioned.condition(),
                        new DitSampling.Options(s.sampling(), s.scale(), Integer.MAX_VALUE, 100), new Rng(s.seed()));
                ImageDataset samples = conditioned.samples(cond, images, dit.model().config());
                var report = reference.score(m.toString(), samples, net, s.seed(), scope);
                Row row = new Row(m.toString(), dit.sha256(), label, dit.imagesSeen(), dit.trainSeconds(), s.n(), s.sampler(), steps, s.scale(), report.fd(), report.kidMean(),
                        report.accuracy());
                rows.put(row.key(), row);
                Listener.current().message(String.format(Locale.ROOT, "%s: %s, %,d images seen: FD %.2f, KID %.4f, accuracy %s", m, label, row.imagesSeen(),
                        row.fd(), row.kid(), Double.isNaN(row.accuracy()) ? "–" : String.format(Locale.ROOT, "%.3f", row.accuracy())));
                writeRows(csv, rows);
            }
        }
        plot(out.resolve("curve.png"), rows);
    }

    public static Map<String, Row> readRows(Path csv) {
        Map<String, Row> rows = new LinkedHashMap<>();
        if (!Files.exists(csv)) {
            return rows;
        }
        try {
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            boolean old = !lines.isEmpty() && lines.get(0).equals(OLD_HEADER);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER) && !old) {
                throw InvalidInputException.of("out", csv + " is not a curve written by this version of dlc4j: move it away or write the curve elsewhere");
            }
            for (String line : lines.subList(1, lines.size())) {
                Row r = Row.parse(old ? line.replaceFirst("^((?:[^,]*,){4})", "$1NaN,") : line);
                rows.put(r.key(), r);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            if (e instanceof InvalidInputException) {
                throw e;
            }
            throw InvalidInputException.of("out", csv + " has a malformed row (" + e.getMessage() + "): move it away or write the curve elsewhere");
        }
    }

    static void writeRows(Path csv, Map<String, Row> rows) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        rows.values().forEach(r -> sb.append(r.csv()).append('\n'));
        AtomicFiles.write(csv, o -> o.write(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** FD against training images seen, one line per conditioning and sampling setting. */
    public static void plot(Path png, Map<String, Row> rows) {
        Map<String, List<Row>> bySeries = new LinkedHashMap<>();
        for (Row r : rows.values()) {
            String name = String.format(Locale.ROOT, "%s (%s %d, scale %.1f)", r.conditioning(), r.sampler(), r.steps(), r.scale());
            bySeries.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
        }
        List<Plots.Series> series = new ArrayList<>();
        bySeries.forEach((name, list) -> {
            list.sort(java.util.Comparator.comparingLong(Row::imagesSeen));
            series.add(new Plots.Series(name, list.stream().mapToDouble(r -> r.imagesSeen() / 1000.0).toArray(),
                    list.stream().mapToDouble(Row::fd).toArray()));
        });
        Plots.line(png, "FD against training images seen", "training images seen (thousands)", "FD (pinned feature net, test)", series, false,
                false); // linear: FD spans well under a decade, where a log axis shows no ticks
    }
}
