package org.dlc4j.diffusion.gaussian;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dlc4j.nn.Scalar;

/**
 * Gaussian diffusion (DDPM, Ho et al. 2020) with improved DDPM's learned variances (Nichol &amp; Dhariwal
 * 2021) and timestep respacing, following the structure of DiT's gaussian_diffusion.py. Holds no weights:
 * the network is passed in as raw outputs or as a {@link Denoiser}.
 */
public final class GaussianDiffusion {
    private static final double LOG2 = Math.log(2.0);

    private final DiffusionConfig config;
    private final int[] timestepMap;
    private final double[] betas;
    private final double[] alphasCumprod;
    private final double[] alphasCumprodPrev;
    private final double[] sqrtAlphasCumprod;
    private final double[] sqrtOneMinusAlphasCumprod;
    private final double[] sqrtRecipAlphasCumprod;
    private final double[] sqrtRecipM1AlphasCumprod;
    private final double[] posteriorVariance;
    private final double[] posteriorLogVarianceClipped;
    private final double[] posteriorMeanCoef1;
    private final double[] posteriorMeanCoef2;
    private final double[] logBetas;

    public GaussianDiffusion(DiffusionConfig config) {
        this(config, config.schedule().betas(config.steps()), identity(config.steps()));
    }

    private GaussianDiffusion(DiffusionConfig config, double[] betas, int[] timestepMap) {
        this.config = config;
        this.betas = betas;
        this.timestepMap = timestepMap;
        int n = betas.length;
        alphasCumprod = new double[n];
        alphasCumprodPrev = new double[n];
        sqrtAlphasCumprod = new double[n];
        sqrtOneMinusAlphasCumprod = new double[n];
        sqrtRecipAlphasCumprod = new double[n];
        sqrtRecipM1AlphasCumprod = new double[n];
        posteriorVariance = new double[n];
        posteriorLogVarianceClipped = new double[n];
        posteriorMeanCoef1 = new double[n];
        posteriorMeanCoef2 = new double[n];
        logBetas = new double[n];
        double prod = 1;
        for (int i = 0; i < n; i++) {
            alphasCumprodPrev[i] = prod;
            prod *= 1 - betas[i];
            alphasCumprod[i] = prod;
        }
        for (int i = 0; i < n; i++) {
            double ab = alphasCumprod[i];
            double abPrev = alphasCumprodPrev[i];
            sqrtAlphasCumprod[i] = Math.sqrt(ab);
            sqrtOneMinusAlphasCumprod[i] = Math.sqrt(1 - ab);
            sqrtRecipAlphasCumprod[i] = Math.sqrt(1 / ab);
            sqrtRecipM1AlphasCumprod[i] = Math.sqrt(1 / ab - 1);
            posteriorVariance[i] = betas[i] * (1 - abPrev) / (1 - ab);
            posteriorMeanCoef1[i] = betas[i] * Math.sqrt(abPrev) / (1 - ab);
            posteriorMeanCoef2[i] = (1 - abPrev) * Math.sqrt(1 - betas[i]) / (1 - ab);
            logBetas[i] = Math.log(betas[i]);
        }
        // β̃_0 = 0: improved DDPM clips the log at t = 0 to β̃_1.
        for (int i = 0; i < n; i++) {
            posteriorLogVarianceClipped[i] = Math.log(n > 1 && i == 0 ? posteriorVariance[1] : posteriorVariance[i]);
        }
    }

    private static int[] identity(int n) {
        int[] m = new int[n];
        Arrays.setAll(m, i -> i);
        return m;
    }

    public DiffusionConfig config() {
        return config;
    }

    public int numSteps() {
        return betas.length;
    }

    /** The model timestep (of the original T-step process) that step i of this process corresponds to. */
    public int modelTimestep(int i) {
        return timestepMap[i];
    }

    /**
     * Min-SNR-γ weights of ε-prediction (Hang et al. 2023): min(SNR_t, γ) / SNR_t with SNR_t = ᾱ_t / (1 − ᾱ_t), 1 where the
     * noise is high (SNR ≤ γ) and smaller as the image gets cleaner.
     */
    public float[] minSnrWeights(int[] t, double gamma) {
        float[] w = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            double snr = alphasCumprod[t[i]] / (1 - alphasCumprod[t[i]]);
            w[i] = (float) (Math.min(snr, gamma) / snr);
        }
        return w;
    }

    public double alphaCumprod(int i) {
        return alphasCumprod[i];
    }

    public double alphaCumprodPrev(int i) {
        return alphasCumprodPrev[i];
    }

    public double beta(int i) {
        return betas[i];
    }

    /**
     * The process restricted to a subset of the original timesteps, with β recomputed so ᾱ is unchanged
     * there (improved DDPM's SpacedDiffusion). {@code spec} as in DiT: "250" (evenly strided, the
     * reference's rounding), "ddim50" (exact stride), or comma-separated section counts "10,15,20".
     */
    public GaussianDiffusion respace(String spec) {
        return respace(spaceTimesteps(betas.length, spec));
    }

    public GaussianDiffusion respace(int[] useTimesteps) {
        int[] use = useTimesteps.clone();
        Arrays.sort(use);
        double[] newBetas = new double[use.length];
        int[] newMap = new int[use.length];
        double last = 1;
        for (int k = 0; k < use.length; k++) {
            int i = use[k];
            newBetas[k] = 1 - alphasCumprod[i] / last;
            last = alphasCumprod[i];
            newMap[k] = timestepMap[i];
        }
        return new GaussianDiffusion(config, newBetas, newMap);
    }

    /** DiT's space_timesteps, including Python's round-half-to-even. */
    public static int[] spaceTimesteps(int numTimesteps, String spec) {
        String s = spec.trim();
        if (s.startsWith("ddim")) {
            int desired = parseCount(s.substring(4), spec);
            for (int stride = 1; stride < numTimesteps; stride++) {
                if (ceilDiv(numTimesteps, stride) == desired) {
                    int[] out = new int[desired];
                    for (int k = 0; k < desired; k++) {
                        out[k] = k * stride;
                    }
                    return out;
                }
            }
            throw new org.dlc4j.util.InvalidInputException("cannot make exactly " + desired + " DDIM steps from " + numTimesteps + ": pick a divisor-friendly count");
        }
        String[] parts = s.split(",");
        int[] counts = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
            counts[k] = parseCount(parts[k], spec);
        }
        int sizePer = numTimesteps / counts.length;
        int extra = numTimesteps % counts.length;
        int start = 0;
        List<Integer> all = new ArrayList<>();
        for (int k = 0; k < counts.length; k++) {
            int size = sizePer + (k < extra ? 1 : 0);
            int c = counts[k];
            if (size < c) {
                throw new org.dlc4j.util.InvalidInputException("cannot take " + c + " sampling steps from " + size + " diffusion steps: use at most " + size);
            }
            double stride = c <= 1 ? 1 : (size - 1) / (double) (c - 1);
            double cur = 0;
            for (int j = 0; j < c; j++) {
                all.add(start + (int) Math.rint(cur));
                cur += stride;
            }
            start += size;
        }
        return all.stream().mapToInt(Integer::intValue).distinct().sorted().toArray();
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static int parseCount(String s, String spec) {
        try {
            int c = Integer.parseInt(s.trim());
            if (c < 1) {
                throw new NumberFormatException();
            }
            return c;
        } catch (NumberFormatException e) {
            throw new org.dlc4j.util.InvalidInputException("bad timestep spacing '" + spec + "': use a step count such as 250, ddim50, or counts per section such as 10,20");
        }
    }

    /** table[t_b] for each batch element, shaped (B, 1, …, 1) to broadcast against {@code like}. */
    NDArray coef(double[] table, int[] t, NDArray like) {
        float[] v = new float[t.length];
        for (int b = 0; b < t.length; b++) {
            v[b] = (float) table[t[b]];
        }
        long[] shape = new long[like.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = t.length;
        return like.getManager().create(v, new Shape(shape));
    }

    /** Samples q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) with the given ε. */
    public NDArray qSample(NDArray x0, int[] t, NDArray noise) {
        return x0.mul(coef(sqrtAlphasCumprod, t, x0)).add(noise.mul(coef(sqrtOneMinusAlphasCumprod, t, x0)));
    }

    /** Mean and variance of q(x_t | x_0). */
    public Gaussian qMeanVariance(NDArray x0, int[] t) {
        NDArray mean = x0.mul(coef(sqrtAlphasCumprod, t, x0));
        NDArray var = coef(alphasCumprod, t, x0).neg().add(1).broadcast(x0.getShape());
        return new Gaussian(mean, var, var.log());
    }

    /** The posterior q(x_{t−1} | x_t, x_0). */
    public Gaussian qPosterior(NDArray x0, NDArray xt, int[] t) {
        NDArray mean = x0.mul(coef(posteriorMeanCoef1, t, xt)).add(xt.mul(coef(posteriorMeanCoef2, t, xt)));
        NDArray var = coef(posteriorVariance, t, xt).broadcast(xt.getShape());
        NDArray logVar = coef(posteriorLogVarianceClipped, t, xt).broadcast(xt.getShape());
        return new Gaussian(mean, var, logVar);
    }

    /** A diagonal Gaussian over a batch. */
    public record Gaussian(NDArray mean, NDArray variance, NDArray logVariance) {
    }

    /** p(x_{t−1} | x_t) as the model parameterises it, with the x_0 and ε it implies. */
    public record Prediction(NDArray mean, NDArray variance, NDArray logVariance, NDArray predX0, NDArray eps) {
    }

    public Prediction pMeanVariance(NDArray modelOutput, NDArray xt, int[] t, boolean clipDenoised) {
        NDArray eps;
        NDArray logVar;
        if (config.learnSigma()) {
            NDList parts = modelOutput.split(2, 1);
            eps = parts.get(0);
            NDArray frac = Scalar.over(parts.get(1).add(1), 2);
            NDArray minLog = coef(posteriorLogVarianceClipped, t, xt);
            NDArray maxLog = coef(logBetas, t, xt);
            logVar = frac.mul(maxLog).add(frac.neg().add(1).mul(minLog));
        } else {
            eps = modelOutput;
            logVar = coef(config.sigmaSmall() ? posteriorLogVarianceClipped : fixedLargeLogVariance(), t, xt).broadcast(xt.getShape());
        }
        NDArray predX0 = xt.mul(coef(sqrtRecipAlphasCumprod, t, xt)).sub(eps.mul(coef(sqrtRecipM1AlphasCumprod, t, xt)));
        if (clipDenoised) {
            predX0 = predX0.clip(-1, 1);
            eps = epsFromX0(xt, t, predX0);
        }
        NDArray mean = qPosterior(predX0, xt, t).mean();
        return new Prediction(mean, logVar.exp(), logVar, predX0, eps);
    }

    /** ε implied by a prediction of x_0 (DDIM re-derives it after clipping). */
    public NDArray epsFromX0(NDArray xt, int[] t, NDArray x0) {
        return xt.mul(coef(sqrtRecipAlphasCumprod, t, xt)).sub(x0).div(coef(sqrtRecipM1AlphasCumprod, t, xt));
    }

    /** improved DDPM's "fixed large": β_t, except β̃_1 at t = 0 so the first step is not too noisy. */
    private double[] fixedLargeLogVariance() {
        double[] v = new double[betas.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.log(i == 0 && v.length > 1 ? posteriorVariance[1] : betas[i]);
        }
        return v;
    }

    /** Per-sample training losses (each of shape (B)); {@code loss} is what is minimised. */
    public record Losses(NDArray loss, NDArray mse, NDArray vb) {
    }

    /**
     * L_simple = ‖ε − ε_θ‖² (mean over dimensions) and, with learned σ, L_vlb in bits/dim computed with the
     * predicted mean frozen so that it trains the variance only (improved DDPM's hybrid objective).
     */
    public Losses trainingLosses(NDArray modelOutput, NDArray x0, NDArray xt, int[] t, NDArray noise) {
        NDArray eps = config.learnSigma() ? modelOutput.split(2, 1).get(0) : modelOutput;
        NDArray mse = meanFlat(eps.sub(noise).square());
        if (!config.learnSigma()) {
            return new Losses(mse, mse, mse.zerosLike());
        }
        NDList parts = modelOutput.split(2, 1);
        NDArray frozen = parts.get(0).stopGradient().concat(parts.get(1), 1);
        NDArray vb = vbTerms(frozen, x0, xt, t);
        return new Losses(mse.add(Scalar.times(vb, config.vlbWeight())), mse, vb);
    }

    /** The VLB term L_{t} in bits/dim: KL(q(x_{t−1}|x_t,x_0) ‖ p_θ(x_{t−1}|x_t)) for t > 0, −log p_θ(x_0|x_1) at t = 0. */
    public NDArray vbTerms(NDArray modelOutput, NDArray x0, NDArray xt, int[] t) {
        Gaussian q = qPosterior(x0, xt, t);
        Prediction p = pMeanVariance(modelOutput, xt, t, false);
        NDArray kl = Scalar.over(meanFlat(normalKl(q.mean(), q.logVariance(), p.mean(), p.logVariance())), LOG2);
        if (Arrays.stream(t).noneMatch(ti -> ti == 0)) {
            return kl; // the decoder term is only used at t = 0, drawn once in T (1000) samples
        }
        NDArray ll = config.decoder() == DiffusionConfig.Decoder.DISCRETIZED_8BIT
                ? discretizedGaussianLogLikelihood(x0, p.mean(), Scalar.times(p.logVariance(), 0.5))
                : gaussianLogLikelihood(x0, p.mean(), p.logVariance());
        NDArray nll = Scalar.over(meanFlat(ll).neg(), LOG2);
        float[] isFirst = new float[t.length];
        for (int b = 0; b < t.length; b++) {
            isFirst[b] = t[b] == 0 ? 1f : 0f;
        }
        NDArray first = kl.getManager().create(isFirst);
        return NDArrays.where(first.gt(0.5f), nll, kl);
    }

    static NDArray meanFlat(NDArray x) {
        // One axis after a reshape: DJL's multi-axis mean is refused while recording gradients.
        return x.getShape().dimension() == 1 ? x : x.reshape(x.getShape().get(0), -1).mean(new int[] {1});
    }

    /** KL(N(μ₁, e^{lv₁}) ‖ N(μ₂, e^{lv₂})) elementwise, in nats. */
    public static NDArray normalKl(NDArray mean1, NDArray logVar1, NDArray mean2, NDArray logVar2) {
        return Scalar.times(logVar2.sub(logVar1).add(logVar1.sub(logVar2).exp()).add(mean1.sub(mean2).square().mul(logVar2.neg().exp())).sub(1), 0.5);
    }

    /** log N(x; μ, e^{lv}) elementwise, in nats. */
    public static NDArray gaussianLogLikelihood(NDArray x, NDArray mean, NDArray logVar) {
        return Scalar.times(x.sub(mean).square().mul(logVar.neg().exp()).add(logVar).add(Math.log(2 * Math.PI)), -0.5);
    }

    /** The fast tanh approximation of the standard normal CDF used by the reference. */
    static NDArray approxStandardNormalCdf(NDArray x) {
        return Scalar.times(Scalar.times(x.add(Scalar.times(Scalar.power(x, 3), 0.044715)), Math.sqrt(2.0 / Math.PI)).tanh().add(1), 0.5);
    }

    /**
     * log-likelihood of 8-bit data scaled to [−1, 1] under a Gaussian discretised into its 256 bins, the edge
     * bins extending to ±∞ (improved DDPM's decoder).
     */
    public static NDArray discretizedGaussianLogLikelihood(NDArray x, NDArray means, NDArray logScales) {
        NDArray centered = x.sub(means);
        NDArray invStdv = logScales.neg().exp();
        NDArray cdfPlus = approxStandardNormalCdf(centered.add(1.0 / 255).mul(invStdv));
        NDArray cdfMin = approxStandardNormalCdf(centered.sub(1.0 / 255).mul(invStdv));
        NDArray logCdfPlus = Scalar.atLeast(cdfPlus, 1e-12).log();
        NDArray logOneMinusCdfMin = Scalar.atLeast(cdfMin.neg().add(1), 1e-12).log();
        NDArray logCdfDelta = Scalar.atLeast(cdfPlus.sub(cdfMin), 1e-12).log();
        return NDArrays.where(x.lt(-0.999), logCdfPlus, NDArrays.where(x.gt(0.999), logOneMinusCdfMin, logCdfDelta));
    }
}
