package org.dlc4j.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.nn.GradMode;
import org.dlc4j.nn.Params;
import org.dlc4j.prior.Sedd;
import org.dlc4j.sem.SemEncoder;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;
import org.dlc4j.vae.AutoencoderKl;

/**
 * What the paper's released models cost here: each built at its real size (DINOv2 ViT-L/14 with the SEM head of
 * L 512 × V 256, SEDD-medium over those codes, DiTSEM-XL/2 on SD-VAE latents, the SD VAE) with random weights, since the
 * released weights cannot be downloaded on this machine; the arithmetic does not depend on the values. One network call
 * of each is timed (median of {@code reps}), and the cost of an image is assembled from the calls the samplers make.
 */
public final class ReleasedCost {
    /**
     * @param ditSteps   DiT sampling steps per image (the authors' pipeline: 250 DDPM steps; DDIM 50 is dlc4j's default)
     * @param priorSteps SEDD steps per code (the authors' sample script: 512)
     * @param reps       timed calls of each network (after one untimed)
     */
    public record Settings(int ditSteps, int priorSteps, int reps) {
    }

    /** One timed network call: seconds and the multiply-accumulates it performs. */
    public record Call(String name, double seconds, double macs) {
        double gflops() {
            return 2 * macs / seconds / 1e9;
        }
    }

    private ReleasedCost() {
    }

    public static String run(Settings s) {
        GradMode.off();
        List<Call> calls = new ArrayList<>();
        double peak;
        try (NDManager m = NDManager.newBaseManager()) {
            peak = Bench.matmul(m, 9).perSecond();
            calls.add(encoder(m, s.reps()));
            calls.add(prior(m, s.reps()));
            calls.add(dit(m, s.reps()));
            calls.add(vae(m, s.reps()));
        }
        double encode = calls.get(0).seconds();
        double priorStep = calls.get(1).seconds();
        double ditStep = calls.get(2).seconds();
        double decode = calls.get(3).seconds();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "matmul peak %.1f GFLOP/s, %d threads%n%n", peak, Runtime.getRuntime().availableProcessors()));
        out.append("| network call | seconds | GFLOP | GFLOP/s | MFU |\n|---|---:|---:|---:|---:|\n");
        for (Call c : calls) {
            out.append(String.format(Locale.ROOT, "| %s | %.2f | %.1f | %.1f | %.0f%% |%n", c.name(), c.seconds(), 2 * c.macs() / 1e9, c.gflops(),
                    100 * c.gflops() / peak));
        }
        out.append(String.format(Locale.ROOT, "%n| one 256-px image | seconds | minutes |%n|---|---:|---:|%n"));
        row(out, "encode (224-px crop → code)", encode);
        row(out, "code → image, DiT " + s.ditSteps() + " guided steps + VAE decode", s.ditSteps() * ditStep + decode);
        row(out, "code → image, DiT 50 guided steps + VAE decode", 50 * ditStep + decode);
        row(out, "new image: SEDD " + s.priorSteps() + " steps + DiT " + s.ditSteps() + " steps + decode",
                s.priorSteps() * priorStep + s.ditSteps() * ditStep + decode);
        return out.toString();
    }

    private static void row(StringBuilder out, String what, double seconds) {
        out.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f |%n", what, seconds, seconds / 60));
    }

    private static Call encoder(NDManager m, int reps) {
        SemEncoder.Config c = SemEncoder.Config.dinov2L14(24, 512, 256);
        try (NDManager scope = m.newSubManager(); Built<SemEncoder> b = randomised(scope, pp -> new SemEncoder(pp, c, new Rng(0)))) {
            SemEncoder model = b.model();
            NDArray x = scope.randomNormal(new Shape(1, 3, 224, 224));
            return new Call("SEM encoder: ViT-L/14 + SEM head (L 512 × V 256), 1 image at 224 px", time(reps, () -> model.forward(x, 1.0).logits()),
                    c.forwardMacs(224));
        }
    }

    private static Call prior(NDManager m, int reps) {
        Sedd.Config c = Sedd.Config.preset("SEDD-M", 512, 256);
        try (NDManager scope = m.newSubManager(); Built<Sedd> b = randomised(scope, pp -> new Sedd(pp, c, new Rng(0)))) {
            Sedd model = b.model();
            int[] tokens = new int[512];
            java.util.Arrays.fill(tokens, 256); // all masked, as at the first step
            return new Call("SEDD-medium prior: one step on 1 code of 512 tokens", time(reps, () -> model.forward(scope, tokens, new double[] {1.0}, null)),
                    c.forwardMacs());
        }
    }

    private static Call dit(NDManager m, int reps) {
        DiT.Config c = DiT.Config.preset("DiT-XL/2").conditionedOn(Conditioning.DLC, 0, 512, 256, 0);
        try (NDManager scope = m.newSubManager(); Built<DiT> b = randomised(scope, pp -> new DiT(pp, c, new Rng(0)))) {
            DiT model = b.model();
            int[] code = new int[512];
            NDArray x = scope.randomNormal(new Shape(1, 4, 32, 32));
            var denoiser = DitSampling.denoiser(model, Condition.codes(code, 512), 1.5, Integer.MAX_VALUE);
            return new Call("DiT-XL/2: one guided step on 1 latent (conditional + null, batch 2)", time(reps, () -> denoiser.apply(x, new int[] {500})),
                    2.0 * c.forwardMacs());
        }
    }

    private static Call vae(NDManager m, int reps) {
        AutoencoderKl.Config c = AutoencoderKl.Config.preset("sd-vae");
        try (NDManager scope = m.newSubManager(); Built<AutoencoderKl> b = randomised(scope, pp -> new AutoencoderKl(pp, c, new Rng(0)))) {
            AutoencoderKl model = b.model();
            NDArray z = scope.randomNormal(new Shape(1, 4, 32, 32));
            return new Call("SD VAE: decode 1 latent of 32 × 32 to 256 × 256", time(reps, () -> model.decodeLatents(z)), c.decodeMacs(256));
        }
    }

    /** A model and the weights it holds (closed with it). */
    private record Built<M>(M model, Params params) implements AutoCloseable {
        @Override
        public void close() {
            params.close();
        }
    }

    /** The model with its weights drawn N(0, 0.02²) natively: built for loading, it skips the Java-side initialisation. */
    private static <M> Built<M> randomised(NDManager scope, java.util.function.Function<Params, M> build) {
        Params p = Params.forLoading(scope);
        M model = build.apply(p);
        for (NDArray a : p.all().values()) {
            try (NDArray r = scope.randomNormal(0f, 0.02f, a.getShape(), DataType.FLOAT32)) {
                a.set(r.toFloatArray());
            }
        }
        Listener.current().message(String.format(Locale.ROOT, "built %s: %,d weights", model.getClass().getSimpleName(), p.numel()));
        return new Built<>(model, p);
    }

    /**
     * Median seconds of {@code reps} calls after one untimed call; each result is read back so the work is done, and each
     * call's intermediate arrays are freed before the next.
     */
    private static double time(int reps, Supplier<NDArray> call) {
        double[] t = new double[Math.max(1, reps) + 1];
        for (int i = 0; i < t.length; i++) {
            long start = System.nanoTime();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                call.get().get(0).toFloatArray();
            }
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        return Bench.median(java.util.Arrays.copyOfRange(t, 1, t.length));
    }
}
