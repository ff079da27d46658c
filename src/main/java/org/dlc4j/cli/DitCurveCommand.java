package org.dlc4j.cli;

import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.pipeline.Conditioned;
import org.dlc4j.eval.Reference;
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
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.diffusion.SamplerConfig;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.Evaluator;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Images;
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.report.Plots;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dlc dit curve}: quality against training images seen (the paper's Figure 4). Each model — typically the EMA
 * snapshots a run writes with {@code --snapshot-every} — samples one image per test image (conditioned on that
 * image's class, code or SEM vector as the model reads it) and is scored against Fashion-MNIST test. Rows already in
 * the CSV for the same model file and settings are reused, so the curve can be built a few models at a time.
 */
@Command(name = "curve", mixinStandardHelpOptions = true,
        description = "FD, KID and conditional accuracy of DiT snapshots against training images seen (Figure 4); writes curve.csv and curve.png.")
final class DitCurveCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Mixin
    NetworkOption network;

    @Parameters(paramLabel = "MODEL", arity = "1..*", description = "Trained DiTs or snapshots (e.g. out/dit/train-dlc-step*.safetensors).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--n", defaultValue = "1000", description = "Samples per model, conditioned on the first N test images (default: ${DEFAULT-VALUE}).")
    int n;

    @Mixin
    DitSamplerOptions samplerOptions;

    @Option(names = "--scale", defaultValue = "1.0", description = "Classifier-free guidance scale (default: ${DEFAULT-VALUE}: none).")
    double scale;

    @Option(names = "--encoder", description = "SEM encoder for dlc and sem models (default: the shipped one).")
    Path encoderPath;

    @Option(names = "--out", defaultValue = "out/dit/curve", description = "Folder for curve.csv and curve.png (default: ${DEFAULT-VALUE}).")
    Path out;

    static final String HEADER = "model,sha256,conditioning,images_seen,n,sampler,steps,scale,fd,kid,accuracy";

    /** One scored model; {@code key} identifies the model file and the sampling settings. */
    record Row(String model, String sha, String conditioning, long imagesSeen, int n, String sampler, int steps, double scale, double fd,
               double kid, double accuracy) {
        String key() {
            return String.format(Locale.ROOT, "%s|%d|%s|%d|%.3f", sha, n, sampler, steps, scale);
        }

        String csv() {
            return String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%s,%d,%.3f,%.4f,%.6f,%.4f", model, sha, conditioning, imagesSeen, n, sampler, steps,
                    scale, fd, kid, accuracy);
        }

        static Row parse(String line) {
            String[] f = line.split(",");
            return new Row(f[0], f[1], f[2], Long.parseLong(f[3]), Integer.parseInt(f[4]), f[5], Integer.parseInt(f[6]), Double.parseDouble(f[7]),
                    Double.parseDouble(f[8]), Double.parseDouble(f[9]), Double.parseDouble(f[10]));
        }
    }

    @Override
    public Integer call() {
        if (n < 2) {
            throw new InvalidInputException("--n must be at least 2 (FD needs a covariance)");
        }
        for (Path m : models) {
            if (!Files.isRegularFile(m)) {
                throw new InvalidInputException("DiT model " + m + " not found: pass trained models or the snapshots of dlc dit train --snapshot-every");
            }
        }
        SamplerConfig sc = samplerOptions.config();
        String sampler = samplerOptions.describe();
        int steps = sc.steps();
        Path csv = out.resolve("curve.csv");
        Map<String, Row> rows = readRows(csv);
        ImageDataset test = FashionMnist.load(data.dir, FashionMnist.Split.TEST, n);
        try (NDManager manager = common.newManager(); FeatureNet net = network.load(manager)) {
            var reference = Reference.open("test", data.dir, 10_000, net, manager);
            for (Path m : models) {
                try (NDManager scope = manager.newSubManager(); TrainedDit dit = TrainedDit.load(scope, m)) {
                    String cond = dit.model().config().conditioning().name().toLowerCase(Locale.ROOT);
                    // the pooling is part of the series name so that mean and √L-scaled code runs plot as two lines
                    String label = dit.model().config().scaledCodes() ? cond + "-scaled" : cond;
                    Row probe = new Row(m.toString(), dit.sha256(), label, dit.imagesSeen(), n, sampler, steps, scale, 0, 0, 0);
                    if (rows.containsKey(probe.key())) {
                        continue;
                    }
                    var conditioned = Conditioned.fromImages(scope, dit, test, (encoderPath != null ? encoderPath : ModelStore.shipped().encoderFor(dit.encoderSha())), n);
                    float[] images = DitSampling.sample(scope, dit.model(), conditioned.condition(),
                            new DitSampling.Options(sc, scale, Integer.MAX_VALUE, 100), new Rng(common.seed));
                    ImageDataset samples = conditioned.samples(cond, images, dit.model().config());
                    var report = Evaluator.evaluate(m.toString(), net.embed(Images.toFeatureInput(samples), FeatureNet.EMBED_BATCH),
                            reference.stats(), reference.features(), Evaluator.Options.defaults(common.seed), scope);
                    Row row = new Row(m.toString(), dit.sha256(), label, dit.imagesSeen(), n, sampler, steps, scale, report.fd(), report.kidMean(),
                            report.accuracy());
                    rows.put(row.key(), row);
                    System.out.printf(Locale.ROOT, "%s: %s, %,d images seen: FD %.2f, KID %.4f, accuracy %s%n", m, label, row.imagesSeen(), row.fd(),
                            row.kid(), Double.isNaN(row.accuracy()) ? "–" : String.format(Locale.ROOT, "%.3f", row.accuracy()));
                    writeRows(csv, rows);
                }
            }
        }
        plot(out.resolve("curve.png"), rows);
        System.out.println("wrote " + csv + " and " + out.resolve("curve.png"));
        return 0;
    }

    static Map<String, Row> readRows(Path csv) {
        Map<String, Row> rows = new LinkedHashMap<>();
        if (!Files.exists(csv)) {
            return rows;
        }
        try {
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                throw new InvalidInputException(csv + " is not a curve written by this version of dlc dit curve: move it away or pass another --out");
            }
            for (String line : lines.subList(1, lines.size())) {
                Row r = Row.parse(line);
                rows.put(r.key(), r);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            if (e instanceof InvalidInputException) {
                throw e;
            }
            throw new InvalidInputException(csv + " has a malformed row (" + e.getMessage() + "): move it away or pass another --out");
        }
    }

    private static void writeRows(Path csv, Map<String, Row> rows) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        rows.values().forEach(r -> sb.append(r.csv()).append('\n'));
        AtomicFiles.write(csv, o -> o.write(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** FD against training images seen, one line per conditioning and sampling setting. */
    private static void plot(Path png, Map<String, Row> rows) {
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
