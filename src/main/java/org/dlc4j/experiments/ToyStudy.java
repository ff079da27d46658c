package org.dlc4j.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.dlc4j.diffusion.gaussian.BetaSchedule;
import org.dlc4j.diffusion.gaussian.DiffusionConfig;
import org.dlc4j.diffusion.gaussian.GaussianDiffusion;
import org.dlc4j.diffusion.gaussian.GaussianSampler;
import org.dlc4j.diffusion.gaussian.SamplerConfig;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.nn.AdamW;
import org.dlc4j.nn.Trainer;
import org.dlc4j.report.Plots;
import org.dlc4j.toy.GaussianMixtureEm;
import org.dlc4j.toy.GridMixture;
import org.dlc4j.toy.Kde;
import org.dlc4j.toy.KlEstimator;
import org.dlc4j.toy.ToyMlp;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * The paper's motivating experiment (Sec. 3, Fig. 2): diffusion models fitted to a grid of N Gaussians,
 * unconditionally, conditioned on the true component (oracle), and conditioned on the component a fitted
 * GMM infers. Reports KL(p_data ‖ p_θ) per N and variant beside the KDE's own floor.
 */
public final class ToyStudy {
    public static final String KIND = "toy-mlp";

    /** The three models the paper compares. */
    public enum Variant {
        UNCONDITIONAL("unconditional"), ORACLE("oracle"), GMM("gmm");

        public final String id;

        Variant(String id) {
            this.id = id;
        }

        public static Variant parse(String s) {
            for (Variant v : values()) {
                if (v.id.equalsIgnoreCase(s.trim())) {
                    return v;
                }
            }
            throw new org.dlc4j.util.InvalidInputException("unknown variant '" + s + "': use unconditional, oracle or gmm");
        }
    }

    /**
     * Everything that defines a run.
     *
     * @param modes          numbers of mixture components N (square numbers)
     * @param variants       which of the three models to train
     * @param spacing        distance between neighbouring centres (paper: 1.0)
     * @param variance       per-axis variance of every component (paper: 0.1)
     * @param hidden         MLP width
     * @param layers         MLP depth in linear layers (paper: 4)
     * @param batch          training batch (paper: 2048)
     * @param steps          optimizer steps per model (paper: 300M samples ≈ 146k steps; far fewer here)
     * @param lr             AdamW learning rate
     * @param schedule       β schedule; linear by default (see README: the cosine schedule's β_T = 0.999 makes the
     *                       first respaced ancestral steps amplify ε errors ~350× on this unbounded data)
     * @param diffusionSteps T of the diffusion
     * @param samplingSteps  respaced ancestral steps at sampling time
     * @param kdeSamples     model samples the KDE is fitted to
     * @param evalSamples    fresh data points the KL is averaged over
     * @param emPoints       data points the GMM is fitted to
     * @param bandwidth      KDE bandwidth rule
     * @param heatmapT       model timestep at which Fig. 2e–f's noise-prediction magnitude is drawn
     * @param heatmapLabel   mixture index shown for the conditional heat map (paper: 6)
     */
    public record Config(List<Integer> modes, List<Variant> variants, double spacing, double variance, int hidden, int layers, int batch,
                         long steps, double lr, BetaSchedule schedule, int diffusionSteps, int samplingSteps, int kdeSamples, int evalSamples,
                         int emPoints, KlEstimator.Bandwidth bandwidth, int heatmapT, int heatmapLabel, double emaDecay,
                         long checkpointEvery, long seed) {

        public static Config full(long seed) {
            return new Config(List.of(9, 121, 400, 900), List.of(Variant.values()), 1.0, 0.1, 256, 4, 2048, 10_000, 1e-3, BetaSchedule.LINEAR, 1000, 100, 50_000, 20_000,
                    40_000, KlEstimator.Bandwidth.crossValidated(), 50, 6, 0.999, 500, seed);
        }

        public static Config quick(long seed) {
            return new Config(List.of(9, 121), List.of(Variant.values()), 1.0, 0.1, 128, 4, 1024, 1000, 2e-3, BetaSchedule.LINEAR, 1000, 50, 10_000, 5_000,
                    10_000, KlEstimator.Bandwidth.crossValidated(), 50, 6, 0.995, 500, seed);
        }

        public String toJson() {
            return GSON.toJson(this);
        }
    }

    /** One measured cell of the table. */
    public record Row(int modes, String variant, double kl, double floor, double kdeBandwidth, long steps,
                      double finalLoss, double trainSeconds, double gmmAccuracy) {
    }

    private static final Gson GSON = org.dlc4j.io.Json.PRETTY; // strict JSON: non-finite numbers as null

    private final Config config;
    private final NDManager manager;
    private final Path out;
    private final boolean resume;

    public ToyStudy(Config config, NDManager manager, Path out, boolean resume) {
        this.config = config;
        this.manager = manager;
        this.out = out;
        this.resume = resume;
    }

    public List<Row> run() {
        List<Row> rows = new ArrayList<>();
        try {
            Files.createDirectories(out.resolve("checkpoints"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int n : config.modes()) {
            rows.addAll(runModes(n));
            writeTables(rows);
        }
        plotKl(rows);
        ToyReport.write(out, config, rows);
        return rows;
    }

    private List<Row> runModes(int n) {
        GridMixture data = new GridMixture(n, config.spacing(), config.variance());
        long modesSeed = config.seed() * 1_000_003L + n;
        Rng rng = new Rng(modesSeed);
        GaussianMixtureEm.Model gmm = GaussianMixtureEm.fit(data.sample(config.emPoints(), rng.split()).xy(), 2,
                GaussianMixtureEm.Config.of(n), rng.split());
        GridMixture.Sample heldOut = data.sample(config.evalSamples(), rng.split());
        double gmmAccuracy = gmmAccuracy(data, gmm, heldOut);
        float[] queries = data.sample(config.evalSamples(), rng.split()).xy();
        float[] reference = data.sample(config.kdeSamples(), rng.split()).xy();
        // Its own stream, so choosing a bandwidth never changes which models are trained.
        Rng selectionRng = new Rng(modesSeed + 0x5E1EC7L);
        float[] selection = data.sample(Math.max(1000, config.evalSamples() / 5), selectionRng).xy();
        Function<float[], Kde> kde = config.bandwidth().choose(manager, reference, selection);
        Kde referenceKde = kde.apply(reference);
        double floor = KlEstimator.kl(manager, referenceKde, queries, data::logDensity);
        double bw = referenceKde.bandwidthX();
        Listener.current().message(String.format(Locale.ROOT, "N=%d: GMM fitted in %d EM iterations, %.1f%% of points get their true component; KDE floor %.4f nats (bandwidth %.3f)",
                n, gmm.iterations(), 100 * gmmAccuracy, floor, bw));
        scatter(n, "data", reference, data);

        List<Row> rows = new ArrayList<>();
        for (Variant v : Variant.values()) {
            long seed = rng.split().nextLong(); // drawn for every variant so a subset run trains the same models
            if (!config.variants().contains(v)) {
                continue;
            }
            try (Trained trained = train(data, gmm, v, seed)) {
                double secs = trained.trainSeconds();
                ToyMlp model = trained.model();
                float[] samples = sample(model, data, gmm, v, config.kdeSamples(), new Rng(seed + 1));
                double kl = KlEstimator.kl(manager, kde.apply(samples), queries, data::logDensity);
                scatter(n, v.id, samples, data);
                if (n == heatmapModes() && v != Variant.GMM) {
                    heatmap(model, data, v);
                }
                rows.add(new Row(n, v.id, kl, floor, bw, trained.steps(), trained.finalLoss(), secs, v == Variant.GMM ? gmmAccuracy : Double.NaN));
                Listener.current().message(String.format(Locale.ROOT, "N=%d %-13s KL %.4f nats (floor %.4f), %d steps in %.0f s", n, v.id, kl, floor, trained.steps(), secs));
            }
        }
        return rows;
    }

    /** Heat maps are drawn for 121 modes when present (the paper's Fig. 2 setting), else the first N. */
    private int heatmapModes() {
        return config.modes().contains(121) ? 121 : config.modes().get(0);
    }

    /** Share of held-out points whose GMM component sits nearest to their true centre. */
    private static double gmmAccuracy(GridMixture data, GaussianMixtureEm.Model gmm, GridMixture.Sample s) {
        int[] nearestTrue = new int[gmm.components()];
        for (int k = 0; k < gmm.components(); k++) {
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < data.modes(); j++) {
                double[] m = data.mean(j);
                double d = Math.hypot(m[0] - gmm.means()[k][0], m[1] - gmm.means()[k][1]);
                if (d < best) {
                    best = d;
                    nearestTrue[k] = j;
                }
            }
        }
        int[] assigned = gmm.assign(s.xy());
        int hits = 0;
        for (int i = 0; i < assigned.length; i++) {
            hits += nearestTrue[assigned[i]] == s.labels()[i] ? 1 : 0;
        }
        return hits / (double) assigned.length;
    }

    private GaussianDiffusion diffusion() {
        return new GaussianDiffusion(DiffusionConfig.improvedContinuous(config.schedule(), config.diffusionSteps()));
    }

    private ToyMlp.Config modelConfig(int n, Variant v) {
        return new ToyMlp.Config(config.hidden(), config.layers(), v == Variant.UNCONDITIONAL ? 0 : n, 4);
    }

    /** A trained model (EMA weights) plus what the report needs about its training. */
    private record Trained(ToyMlp model, long steps, double finalLoss, double trainSeconds) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    private Trained train(GridMixture data, GaussianMixtureEm.Model gmm, Variant v, long seed) {
        int n = data.modes();
        Rng init = new Rng(seed);
        ToyMlp.Config mc = modelConfig(n, v);
        ToyMlp model = new ToyMlp(manager, mc, init);
        GaussianDiffusion diffusion = diffusion();
        int batch = config.batch();
        int steps = diffusion.numSteps();
        Trainer.Config tc = new Trainer.Config(config.steps(), config.lr(), 0, AdamW.Config.defaults(), 1.0, config.emaDecay(), config.checkpointEvery());
        Path ckpt = out.resolve("checkpoints").resolve("toy-N" + n + "-" + v.id + ".safetensors");
        // The model's own configuration, so resuming checks the network; the study's (which --modes may extend) goes beside it.
        Checkpoint.Meta meta = Checkpoint.Meta.current(KIND, GSON.toJson(mc), 0, "grid-mixture-" + n, config.seed(),
                Map.of("variant", v.id, "modes", Integer.toString(n), "study", config.toJson()));
        try (Trainer trainer = new Trainer(model.params(), tc, seed + 7)) {
            if (resume && trainer.resumeIfPresent(ckpt, KIND, meta.configJson())) {
                Listener.current().message(String.format(Locale.ROOT, "N=%d %s: resumed at step %d from %s", n, v.id, trainer.step(), ckpt));
            }
            trainer.run((mgr, rng, step) -> {
                GridMixture.Sample s = data.sample(batch, rng);
                int[] labels = switch (v) {
                    case UNCONDITIONAL -> null;
                    case ORACLE -> s.labels();
                    case GMM -> gmm.assign(s.xy());
                };
                NDArray x0 = mgr.create(s.xy(), new Shape(batch, 2));
                int[] t = rng.ints(batch, steps);
                NDArray noise = mgr.create(rng.gaussians(batch * 2), new Shape(batch, 2));
                NDArray xt = diffusion.qSample(x0, t, noise);
                return diffusion.trainingLosses(model.forward(xt, t, labels), x0, xt, t, noise).loss().mean();
            }, ckpt, meta, String.format(Locale.ROOT, "N=%d %s", n, v.id));
            model.params().assign(trainer.emaWeights());
            return new Trained(model, trainer.step(), trainer.lastLoss(), trainer.trainSeconds());
        }
    }

    /** Draws points from a trained model: components first (uniform for the oracle, π for the GMM), then x | c. */
    float[] sample(ToyMlp model, GridMixture data, GaussianMixtureEm.Model gmm, Variant v, int count, Rng rng) {
        GaussianSampler sampler = SamplerConfig.ddpm(config.samplingSteps()).build(diffusion());
        float[] outXy = new float[count * 2];
        int chunk = 10_000;
        for (int start = 0; start < count; start += chunk) {
            int m = Math.min(chunk, count - start);
            int[] labels = switch (v) {
                case UNCONDITIONAL -> null;
                case ORACLE -> rng.ints(m, data.modes());
                case GMM -> gmm.sampleComponents(m, rng);
            };
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray xT = manager.create(rng.gaussians(m * 2), new Shape(m, 2));
                float[] xy = sampler.sample(model.denoiser(labels), xT, rng).toFloatArray();
                System.arraycopy(xy, 0, outXy, start * 2, xy.length);
            }
        }
        return outXy;
    }

    private void scatter(int n, String what, float[] xy, GridMixture data) {
        int shown = Math.min(xy.length / 2, 20_000);
        double[] xs = new double[shown];
        double[] ys = new double[shown];
        for (int i = 0; i < shown; i++) {
            xs[i] = xy[2 * i];
            ys[i] = xy[2 * i + 1];
        }
        double e = data.extent() + 1;
        Plots.scatter(out.resolve(String.format(Locale.ROOT, "scatter-N%d-%s.png", n, what)),
                String.format(Locale.ROOT, "%s, %d modes (%d points)", what, n, shown),
                List.of(new Plots.Series(what, xs, ys)), new double[] {-e, e}, new double[] {-e, e}, 2);
    }

    /** Fig. 2e–f: ‖ε_θ(x, t)‖ over the plane at a fixed timestep. */
    private void heatmap(ToyMlp model, GridMixture data, Variant v) {
        int res = 160;
        double e = data.extent();
        double[] grid = new double[res];
        for (int i = 0; i < res; i++) {
            grid[i] = -e + 2 * e * i / (res - 1);
        }
        float[] pts = new float[res * res * 2];
        for (int iy = 0; iy < res; iy++) {
            for (int ix = 0; ix < res; ix++) {
                pts[2 * (iy * res + ix)] = (float) grid[ix];
                pts[2 * (iy * res + ix) + 1] = (float) grid[iy];
            }
        }
        int label = Math.min(config.heatmapLabel(), data.modes() - 1);
        double[][] z = new double[res][res];
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray x = manager.create(pts, new Shape(res * res, 2));
            int[] t = GaussianSampler.fill(res * res, config.heatmapT());
            int[] labels = v == Variant.UNCONDITIONAL ? null : GaussianSampler.fill(res * res, label);
            NDArray eps = model.forward(x, t, labels).split(2, 1).get(0);
            float[] mag = eps.square().sum(new int[] {1}).sqrt().toFloatArray();
            for (int iy = 0; iy < res; iy++) {
                for (int ix = 0; ix < res; ix++) {
                    z[iy][ix] = mag[iy * res + ix];
                }
            }
        }
        String title = v == Variant.UNCONDITIONAL
                ? String.format(Locale.ROOT, "‖ε_θ(x, t=%d)‖, unconditional, %d modes", config.heatmapT(), data.modes())
                : String.format(Locale.ROOT, "‖ε_θ(x, t=%d | c=%d)‖, oracle-conditioned, %d modes", config.heatmapT(), label, data.modes());
        Plots.heatmap(out.resolve("heatmap-" + v.id + ".png"), title, "x", "y", grid, grid, z);
    }

    private void plotKl(List<Row> rows) {
        List<Plots.Series> series = new ArrayList<>();
        for (Variant v : config.variants()) {
            List<Row> rs = rows.stream().filter(r -> r.variant().equals(v.id)).toList();
            series.add(new Plots.Series(v.id, rs.stream().mapToDouble(Row::modes).toArray(), rs.stream().mapToDouble(Row::kl).toArray()));
        }
        List<Row> floors = rows.stream().filter(r -> r.variant().equals(config.variants().get(0).id)).toList();
        series.add(new Plots.Series("KDE floor (data vs data)", floors.stream().mapToDouble(Row::modes).toArray(), floors.stream().mapToDouble(Row::floor).toArray()));
        Plots.line(out.resolve("kl-vs-modes.png"), "KL(p_data ‖ p_θ) vs number of modes", "number of modes N", "KL (nats)", series, true, false);
    }

    private void writeTables(List<Row> rows) {
        StringBuilder csv = new StringBuilder("modes,variant,kl_nats,kde_floor_nats,kde_bandwidth,steps,final_loss,train_seconds,gmm_accuracy\n");
        for (Row r : rows) {
            csv.append(String.format(Locale.ROOT, "%d,%s,%.5f,%.5f,%.4f,%d,%.5f,%.1f,%s%n", r.modes(), r.variant(), r.kl(), r.floor(),
                    r.kdeBandwidth(), r.steps(), r.finalLoss(), r.trainSeconds(), Double.isNaN(r.gmmAccuracy()) ? "" : String.format(Locale.ROOT, "%.4f", r.gmmAccuracy())));
        }
        StringBuilder md = new StringBuilder("| N | variant | KL (nats) | KDE floor | KL − floor | steps | train s |\n|---:|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %.4f | %.4f | %.4f | %d | %.0f |%n", r.modes(), r.variant(), r.kl(), r.floor(),
                    r.kl() - r.floor(), r.steps(), r.trainSeconds()));
        }
        try {
            Files.writeString(out.resolve("results.md"), md);
            Files.writeString(out.resolve("results.csv"), csv);
            Files.writeString(out.resolve("results.json"), GSON.toJson(Map.of("config", config, "rows", rows)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
