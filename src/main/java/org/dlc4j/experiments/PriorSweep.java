package org.dlc4j.experiments;

import ai.djl.ndarray.NDManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Reference;
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.pipeline.Generator;
import org.dlc4j.report.Plots;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;

/**
 * FD of prior → DiT generation against the remasking rate η (the paper's Figure 8) and against the number of prior
 * steps, each setting scored against Fashion-MNIST test; the prior's sampling time is recorded too.
 */
public final class PriorSweep {
    /**
     * @param etas       remasking rates for the remask sampler, at {@code etaSteps} prior steps
     * @param stepCounts prior step counts for the analytic sampler
     */
    public record Settings(int n, List<Double> etas, int etaSteps, List<Integer> stepCounts, DitSampling.Options sampling, long seed) {
        public Settings {
            if (n < 2) {
                throw InvalidInputException.of("n", "n must be at least 2 (FD needs a covariance)");
            }
            samplers(etas, etaSteps, stepCounts); // refused here, before any model is loaded
        }
    }

    public record Row(String sweep, double value, String sampler, double fd, double kid, double priorSeconds) {
        public String csv() {
            return String.format(Locale.ROOT, "%s,%s,%s,%.4f,%.6f,%.3f", sweep, value, sampler, fd, kid, priorSeconds);
        }
    }

    private PriorSweep() {}

    /** Scores every setting, writing sweep.csv after each, then eta.png and steps.png to {@code out}; returns the rows. */
    /** The remask sampler at each η, then the analytic sampler at each step count. */
    private static List<PriorSampler.Config> samplers(List<Double> etas, int etaSteps, List<Integer> stepCounts) {
        List<PriorSampler.Config> settings = new ArrayList<>();
        try {
            for (double eta : etas) {
                settings.add(PriorSampler.Config.of(PriorSampler.Predictor.REMASK, etaSteps, eta));
            }
            for (int steps : stepCounts) {
                settings.add(PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, steps, 0));
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage());
        }
        return settings;
    }

    public static List<Row> run(NDManager manager, Settings s, Generator models, FeatureNet net, Reference reference, Path out) {
        List<PriorSampler.Config> settings = samplers(s.etas(), s.etaSteps(), s.stepCounts());
        List<String> kinds = new ArrayList<>();
        s.etas().forEach(e -> kinds.add("eta"));
        s.stepCounts().forEach(e -> kinds.add("steps"));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < settings.size(); i++) {
            PriorSampler.Config sc = settings.get(i);
            try (NDManager scope = manager.newSubManager()) {
                var g = models.generate(scope, s.n(), sc, 250, s.sampling(), s.seed());
                var samples = g.conditioned().samples(sc.describe(), g.images(), models.dit().model().config());
                var report = reference.score(sc.describe(), samples, net, s.seed(), scope);
                double value = kinds.get(i).equals("eta") ? sc.eta() : sc.steps();
                rows.add(new Row(kinds.get(i), value, sc.describe(), report.fd(), report.kidMean(), g.codeSeconds()));
                Listener.current().message(String.format(Locale.ROOT, "%s: FD %.2f, KID %.4f (prior %.1f s)", sc.describe(), report.fd(), report.kidMean(),
                        g.codeSeconds()));
                write(out.resolve("sweep.csv"), rows);
            }
        }
        plot(rows, "eta", out.resolve("eta.png"), "FD against the remasking rate η (" + s.etaSteps() + " prior steps)", "η");
        plot(rows, "steps", out.resolve("steps.png"), "FD against prior steps (analytic)", "prior steps");
        return rows;
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
