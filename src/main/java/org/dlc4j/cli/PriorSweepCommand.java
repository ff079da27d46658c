package org.dlc4j.cli;

import org.dlc4j.dit.Conditioning;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.pipeline.Generator;
import org.dlc4j.eval.Reference;
import ai.djl.ndarray.NDManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.eval.Evaluator;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Images;
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.report.Plots;
import org.dlc4j.prior.PriorSampler;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dlc prior sweep}: FD of prior → DiT generation against the remasking rate η (the paper's Figure 8) and against
 * the number of prior steps, each setting scored against Fashion-MNIST test; the prior's sampling time is recorded too.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "FD of prior→DiT generation against the remasking rate η (Figure 8) and the prior's step count; writes sweep.csv, eta.png, steps.png.")
final class PriorSweepCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Mixin
    NetworkOption network;

    @Option(names = "--prior", description = "Trained prior (default: the shipped one).")
    Path priorPath;

    @Option(names = "--dit", description = "DLC-conditioned DiT (default: the shipped one).")
    Path ditPath;

    @Option(names = "--n", defaultValue = "1000", description = "Images per setting (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--etas", split = ",", defaultValue = "0,0.003,0.01,0.03,0.1,0.3",
            description = "Remasking rates to try with the remask sampler (default: ${DEFAULT-VALUE}).")
    List<Double> etas;

    @Option(names = "--eta-steps", defaultValue = "128", description = "Prior steps for the η sweep (default: ${DEFAULT-VALUE}).")
    int etaSteps;

    @Option(names = "--step-counts", split = ",", defaultValue = "16,32,64,128,256",
            description = "Prior step counts to try with the analytic sampler (default: ${DEFAULT-VALUE}).")
    List<Integer> stepCounts;

    @Mixin
    DitSamplerOptions ditOptions;

    @Option(names = "--scale", defaultValue = "1.0", description = "DiT guidance scale (default: ${DEFAULT-VALUE}: none).")
    double scale;

    @Option(names = "--out", defaultValue = "out/prior/sweep", description = "Folder for sweep.csv, eta.png and steps.png (default: ${DEFAULT-VALUE}).")
    Path out;

    record Row(String sweep, double value, String sampler, double fd, double kid, double priorSeconds) {
        String csv() {
            return String.format(Locale.ROOT, "%s,%s,%s,%.4f,%.6f,%.3f", sweep, value, sampler, fd, kid, priorSeconds);
        }
    }

    @Override
    public Integer call() {
        if (n < 2) {
            throw new InvalidInputException("--n must be at least 2 (FD needs a covariance)");
        }
        if (!(scale >= 0)) {
            throw new InvalidInputException("--scale must be ≥ 0, not " + scale);
        }
        List<PriorSampler.Config> settings = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        try {
            for (double eta : etas) {
                settings.add(PriorSampler.Config.of(PriorSampler.Predictor.REMASK, etaSteps, eta));
                kinds.add("eta");
            }
            for (int steps : stepCounts) {
                settings.add(PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, steps, 0));
                kinds.add("steps");
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage());
        }
        var options = new DitSampling.Options(ditOptions.config(), scale, Integer.MAX_VALUE, 100);
        List<Row> rows = new ArrayList<>();
        try (NDManager manager = common.newManager(); FeatureNet net = network.load(manager);
             Generator models = Generator.load(manager, priorPath != null ? priorPath : ModelStore.shipped().prior(), "prior", ditPath != null ? ditPath : ModelStore.shipped().dit(Conditioning.DLC), "dit")) {
            var reference = Reference.open("test", data.dir, 10_000, net, manager);
            for (int i = 0; i < settings.size(); i++) {
                PriorSampler.Config sc = settings.get(i);
                try (NDManager scope = manager.newSubManager()) {
                    var g = models.generate(scope, n, sc, 250, options, common.seed);
                    var samples = g.conditioned().samples(sc.describe(), g.images(), models.dit().model().config());
                    var report = Evaluator.evaluate(sc.describe(), net.embed(Images.toFeatureInput(samples), FeatureNet.EMBED_BATCH),
                            reference.stats(), reference.features(), Evaluator.Options.defaults(common.seed), scope);
                    double value = kinds.get(i).equals("eta") ? sc.eta() : sc.steps();
                    rows.add(new Row(kinds.get(i), value, sc.describe(), report.fd(), report.kidMean(), g.codeSeconds()));
                    System.out.printf(Locale.ROOT, "%s: FD %.2f, KID %.4f (prior %.1f s)%n", sc.describe(), report.fd(), report.kidMean(), g.codeSeconds());
                    write(out.resolve("sweep.csv"), rows);
                }
            }
        }
        plot(rows, "eta", out.resolve("eta.png"), "FD against the remasking rate η (" + etaSteps + " prior steps)", "η");
        plot(rows, "steps", out.resolve("steps.png"), "FD against prior steps (analytic)", "prior steps");
        System.out.println("wrote " + out.resolve("sweep.csv") + ", " + out.resolve("eta.png") + " and " + out.resolve("steps.png"));
        return 0;
    }

    private static void write(Path csv, List<Row> rows) {
        StringBuilder sb = new StringBuilder("sweep,value,sampler,fd,kid,prior_seconds\n");
        rows.forEach(r -> sb.append(r.csv()).append('\n'));
        AtomicFiles.write(csv, o -> o.write(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** η = 0 is drawn at a tenth of the smallest positive η so that the axis can be logarithmic. */
    private static void plot(List<Row> rows, String sweep, Path png, String title, String xLabel) {
        List<Row> mine = rows.stream().filter(r -> r.sweep().equals(sweep)).toList();
        if (mine.isEmpty()) {
            return;
        }
        double smallest = mine.stream().mapToDouble(Row::value).filter(v -> v > 0).min().orElse(1);
        double[] x = mine.stream().mapToDouble(r -> r.value() > 0 ? r.value() : smallest / 10).toArray();
        double[] y = mine.stream().mapToDouble(Row::fd).toArray();
        Plots.line(png, title, xLabel + (sweep.equals("eta") ? " (0 drawn at " + smallest / 10 + ")" : ""), "FD (pinned feature net, test)",
                List.of(new Plots.Series("prior → DiT", x, y)), true, false);
    }
}
