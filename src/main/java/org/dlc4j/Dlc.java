package org.dlc4j;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.dlc4j.compose.Composition;
import org.dlc4j.compose.Source;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.data.ModelView;
import org.dlc4j.data.PngFolderDataset;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.diffusion.discrete.Unmasking;
import org.dlc4j.diffusion.gaussian.SamplerConfig;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.nn.GradMode;
import org.dlc4j.pipeline.CodeSampling;
import org.dlc4j.pipeline.Compatibility;
import org.dlc4j.pipeline.Generated;
import org.dlc4j.pipeline.Generator;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.report.ImageGrid;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.text.TrainedText;
import org.dlc4j.util.Home;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * dlc4j from Java: a set of trained models (the shipped ones, or a folder laid out like {@code models/}) behind six
 * calls. {@link #encode} turns images into Discrete Latent Codes; {@link #decode} draws images from a code;
 * {@link #generate} draws codes from the SEDD prior and then images; {@link #compose} mixes the codes of several images
 * position by position; {@link #fromPrompt} draws codes from the text-to-DLC model. Models are loaded on first use and
 * freed by {@link #close}. Results depend only on the models, the inputs and {@link Sampling#seed()}: the same call
 * gives the same images, and the same images as the matching {@code dlc} command.
 *
 * <p>Errors are {@link org.dlc4j.util.DlcException}s: {@link InvalidInputException} for bad input,
 * {@link org.dlc4j.util.ModelMismatchException} for models or codes that do not fit together,
 * {@link org.dlc4j.util.DlcIoException} for files that cannot be read. Progress of long work goes to the
 * {@link Listener} given to {@link #open(Path, Listener)}. An instance is not safe for concurrent use.
 */
public final class Dlc implements AutoCloseable {
    private final NDManager manager = NDManager.newBaseManager();
    private final ModelStore store;
    private final Listener listener;
    private TrainedEncoder encoder;
    private TrainedDit dit;
    private TrainedPrior prior;
    private TrainedText text;
    private Gallery gallery;

    private Dlc(ModelStore store, Listener listener) {
        this.store = store;
        this.listener = listener;
    }

    /** The models shipped with dlc4j (the checkout's {@code models/}; set {@code -Ddlc4j.home} when running elsewhere). */
    public static Dlc open() {
        return open(ModelStore.shipped().dir());
    }

    /**
     * The models in {@code models}: a folder laid out like the shipped {@code models/}, or one {@code dlc chain} trained
     * ({@link ModelStore#open}); progress goes to the listener in force.
     */
    public static Dlc open(Path models) {
        return open(models, null);
    }

    /** The models in {@code models}; {@code listener} hears the progress of long work (null: the listener in force at each call). */
    public static Dlc open(Path models, Listener listener) {
        if (!Files.isDirectory(models)) {
            throw InvalidInputException.of("models", "models folder " + models.toAbsolutePath() + " not found: give the models/ folder of a"
                    + " dlc4j checkout (or set -Ddlc4j.home to the checkout)");
        }
        return new Dlc(ModelStore.open(models), listener);
    }

    /** How {@link #compose} mixes its codes. */
    public enum Mixing {
        /** The paper's composition: each position takes the token of one code, drawn with the weights. */
        TOKENS,
        /** Each position draws its token from the weighted mean of the codes' SEM distributions (encoded codes only). */
        DISTRIBUTIONS
    }

    /** The side of the square grey images the shipped models read and draw (Fashion-MNIST's). */
    public static final int IMAGE_SIZE = 28;

    /**
     * {@code image} as the shipped models see it: 28×28 grey, a light object on black ({@link ModelView}); see
     * {@link #viewOf} for the view of this instance's models.
     */
    public static BufferedImage view(BufferedImage image) {
        return ModelView.of(image, IMAGE_SIZE);
    }

    /**
     * {@code image} as this instance's encoder sees it, which {@link #encode} encodes: for Fashion-MNIST models, the
     * {@link #view}; for a chain trained on one's own pictures, the picture made square and composited as
     * {@code dlc chain --folder} read its data (its --fit and --background), at the encoder's side and channels.
     */
    public BufferedImage viewOf(BufferedImage image) {
        if (store.fashionMnist()) {
            return view(image);
        }
        ImageDataset one = ImageFolder.fromPictures("view", List.of(image), pictureOptions());
        return ImageGrid.toImage(one.image(0), 1, one.channels(), one.height(), one.width(), 1, 0, 1);
    }

    /** How the chain read its pictures, at the encoder's size and channels. */
    private ImageFolder.Options pictureOptions() {
        return store.pictures(encoder().inputSize(), encoder().config().channels());
    }

    /** The channels of the pictures this instance's encoder reads: 1 (grey) or 3 (colour). */
    public int imageChannels() {
        return store.fashionMnist() ? 1 : encoder().config().channels();
    }

    /** The side of the pictures this instance's models read and draw. */
    public int imageSize() {
        return store.fashionMnist() ? IMAGE_SIZE : encoder().inputSize();
    }

    /** The code of one image (any size, grey or colour: its {@link #view} is encoded). */
    public Code encode(BufferedImage image) {
        return encode(List.of(image)).get(0);
    }

    /** The codes of these images, in order, with their SEM distributions. */
    public List<Code> encode(List<BufferedImage> images) {
        return withListener(() -> {
            if (!store.fashionMnist()) {
                return codes(ImageFolder.fromPictures("images", images, pictureOptions()));
            }
            List<BufferedImage> views = images.stream().map(Dlc::view).toList();
            List<String> names = IntStream.range(0, views.size()).mapToObj(i -> "image " + i).toList();
            return codes(PngFolderDataset.fromImages("images", views, names, 1));
        });
    }

    /**
     * The gallery: for the shipped models {@code assets/fmnist/gallery.npz} of the checkout, for a chain's folder its
     * {@code gallery/} (held-out pictures the chain wrote); encoded by this instance's encoder on first use and kept.
     */
    public Gallery gallery() {
        if (gallery == null) {
            ImageDataset set;
            if (store.released()) {
                throw InvalidInputException.of("gallery", "imported models come without a gallery: encode pictures of your own");
            }
            if (store.chain()) {
                Path dir = store.dir().resolve(GALLERY);
                if (!Files.isDirectory(dir)) {
                    throw InvalidInputException.of("gallery", "the gallery " + dir + " is missing: run dlc chain on this folder again to write it");
                }
                set = PngFolderDataset.load(dir, encoder().config().channels());
            } else {
                Path file = Home.dir().resolve("assets").resolve("fmnist").resolve("gallery.npz");
                if (!Files.exists(file)) {
                    throw InvalidInputException.of("gallery", "the gallery " + file + " is missing: run from a dlc4j checkout (or set"
                            + " -Ddlc4j.home to one)");
                }
                ImageDataset raw = ImageNpz.read(file);
                set = raw.withLabels(raw.labels(), FashionMnist.CLASS_NAMES);
            }
            ImageDataset g = set;
            List<BufferedImage> images = IntStream.range(0, g.count()).mapToObj(i -> ImageGrid.toImage(g.image(i), 1, g.channels(),
                    g.height(), g.width(), 1, 0, 1)).toList();
            List<Code> codes = withListener(() -> codes(g));
            // A chain on pictures without classes: one class that holds them all.
            boolean labelled = g.labels() != null && !g.classNames().isEmpty();
            gallery = new Gallery(images, labelled ? g.labels() : new int[g.count()], labelled ? g.classNames() : List.of(UNCLASSED), codes);
        }
        return gallery;
    }

    /** The one class name of a gallery whose pictures have none. */
    public static final String UNCLASSED = "pictures";

    /** Where a chain's folder keeps its gallery (a PNG folder of held-out pictures with their classes). */
    public static final String GALLERY = "gallery";

    /** The codes of images at the encoder's size and channels, with their SEM distributions. */
    private List<Code> codes(ImageDataset set) {
        TrainedEncoder enc = encoder();
        var c = enc.config();
        var encoded = enc.encode(set, 1.0, true, false, 256);
        List<Code> codes = new ArrayList<>();
        for (int i = 0; i < set.count(); i++) {
            codes.add(new Code(Arrays.copyOfRange(encoded.tokens(), i * c.length(), (i + 1) * c.length()), c.vocab(), enc.sha256(),
                    Arrays.copyOfRange(encoded.probs(), i * c.length() * c.vocab(), (i + 1) * c.length() * c.vocab())));
        }
        return codes;
    }

    /** {@code n} images the DLC-conditioned DiT draws from {@code code} (as {@code dlc dit sample --codes}). */
    public List<GeneratedImage> decode(Code code, int n, Sampling sampling) {
        positive(n);
        return withListener(() -> {
            TrainedDit d = dit();
            check(d, code, "the code");
            int[] tokens = new int[n * code.length()];
            for (int i = 0; i < n; i++) {
                System.arraycopy(code.tokens(), 0, tokens, i * code.length(), code.length());
            }
            float[] images = d.sample(Condition.codes(tokens, code.length()), options(sampling), new Rng(sampling.seed()));
            return images(images, d.output(), tokens, code.length(), code.vocab(), code.encoderSha256());
        });
    }

    /** {@code n} new images: codes from the SEDD prior, then images from the DiT, in the same blocks as {@code dlc generate}. */
    public List<GeneratedImage> generate(int n, Sampling sampling) {
        positive(n);
        return withListener(() -> {
            TrainedDit d = dit();
            TrainedPrior p = priorFor(d);
            // The blocks dlc generate and dlc spark generate draw: the same seed gives the same images everywhere.
            return decoded(new Generator(p, d).generate(manager, n, priorSampler(sampling), sampling.batch(), options(sampling), sampling.seed()), d);
        });
    }

    /**
     * {@code n} edits of {@code code}: the positions where {@code keep} is true stay, the others are drawn afresh from the
     * SEDD prior given the kept ones (code infilling), and the DiT draws one image from each new code.
     */
    public List<GeneratedImage> infill(Code code, boolean[] keep, int n, Sampling sampling) {
        positive(n);
        if (keep.length != code.length()) {
            throw InvalidInputException.of("keep", "keep has " + keep.length + " flags for a code of " + code.length() + " positions");
        }
        return withListener(() -> {
            TrainedDit d = dit();
            check(d, code, "the code");
            TrainedPrior p = priorFor(d);
            int l = code.length();
            int[] partial = new int[n * l];
            int[] tokens = code.tokens();
            for (int i = 0; i < n; i++) {
                for (int q = 0; q < l; q++) {
                    partial[i * l + q] = keep[q] ? tokens[q] : code.vocab(); // V is the absorbing state, the mask
                }
            }
            int[] codes = p.infill(partial, n, priorSampler(sampling), sampling.batch(), new Rng(sampling.seed()));
            float[] images = d.sample(Condition.codes(codes, l), options(sampling), new Rng(sampling.seed() + 1));
            return images(images, d.output(), codes, l, code.vocab(), code.encoderSha256());
        });
    }

    /**
     * {@code n} compositions of these codes: each new code takes every position from one of them, at random with these
     * relative {@code weights} (null: equal), and the DiT draws one image from it (as {@code dlc compose}).
     */
    public List<GeneratedImage> compose(List<Code> codes, double[] weights, int n, Sampling sampling) {
        return compose(codes, weights, Mixing.TOKENS, n, sampling);
    }

    /** As {@link #compose(List, double[], int, Sampling)}, mixing the codes as {@code mixing} says. */
    public List<GeneratedImage> compose(List<Code> codes, double[] weights, Mixing mixing, int n, Sampling sampling) {
        positive(n);
        if (codes.size() < 2) {
            throw InvalidInputException.of("codes", "composing needs at least two codes, got " + codes.size());
        }
        return withListener(() -> {
            TrainedDit d = dit();
            List<Source> sources = new ArrayList<>();
            for (int i = 0; i < codes.size(); i++) {
                Code c = codes.get(i);
                check(d, c, "code " + i);
                sources.add(new Source("code " + i, c.length(), c.vocab(), c.tokens(), c.distributions(), null, -1, c.encoderSha256()));
            }
            if (mixing == Mixing.DISTRIBUTIONS) {
                for (int i = 0; i < codes.size(); i++) {
                    if (codes.get(i).distributions() == null) {
                        throw InvalidInputException.of("codes", "code " + i + " has no SEM distributions to mix: mix encoded codes, or"
                                + " mix tokens");
                    }
                }
            }
            var method = mixing == Mixing.DISTRIBUTIONS ? Composition.Method.DISTRIBUTION : Composition.Method.CODE;
            Condition cond = Composition.condition(method, sources, weights, n, new Rng(sampling.seed()));
            float[] images = d.sample(cond, options(sampling), new Rng(sampling.seed() + 1));
            Code first = codes.get(0);
            return images(images, d.output(), cond.tokens(), first.length(), first.vocab(), first.encoderSha256());
        });
    }

    /** {@code n} images for a prompt: codes from the text-to-DLC model, then images from the DiT (as {@code dlc generate --prompt}). */
    public List<GeneratedImage> fromPrompt(String prompt, int n, Sampling sampling) {
        positive(n);
        if (prompt == null || prompt.isBlank()) {
            throw InvalidInputException.of("prompt", "prompt is empty: say what to draw, e.g. \"a photo of a sneaker\"");
        }
        return withListener(() -> {
            TrainedText t = text();
            TrainedDit d = dit();
            var tc = t.model().config();
            Compatibility.codeShape(d, "the text model's codes", tc.length(), tc.vocab());
            Compatibility.encoder(d, t.encoderSha(), "the text model's codes");
            var unmasking = new Unmasking.Config(sampling.textSteps() > 0 ? sampling.textSteps() : tc.length(), Unmasking.Remasking.LOW_CONFIDENCE, 1.0,
                    sampling.textGuidance());
            DlcFile codes = CodeSampling.fromPrompt(t, prompt, n, unmasking, sampling.batch(), sampling.seed());
            return decoded(Generated.decode(manager, d, codes, 0, options(sampling), sampling.seed()), d);
        });
    }

    /** L, the number of tokens in the codes these models read. */
    public int codeLength() {
        return dit().model().config().length();
    }

    /** V, the number of values a token takes. */
    public int vocabulary() {
        return dit().model().config().vocab();
    }

    /**
     * A code of these tokens as these models read it (their V and encoder), e.g. one a user typed or edited; tokens out of
     * 0..V−1 or a length other than {@link #codeLength()} are refused.
     */
    public Code code(int[] tokens) {
        TrainedDit d = dit();
        Code code = new Code(tokens, d.model().config().vocab(), d.encoderSha(), null);
        check(d, code, "the code");
        return code;
    }

    /** The folder the models are read from. */
    public Path models() {
        return store.dir();
    }

    @Override
    public void close() {
        try {
            for (AutoCloseable m : new AutoCloseable[] {encoder, dit, prior, text}) {
                if (m != null) {
                    m.close();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("closing the models: " + e.getMessage(), e);
        } finally {
            manager.close();
        }
    }

    // The encoder is the one the DLC DiT reads, so that encoded codes can be decoded; without a DiT, the default one.
    private TrainedEncoder encoder() {
        if (encoder == null) {
            // the DiT is loaded (once, and kept for decoding) rather than read a second time only for its metadata
            Path path = store.encoderFor(Files.exists(store.dit(Conditioning.DLC)) ? dit().encoderSha() : "");
            if (!Files.exists(path)) {
                throw InvalidInputException.of("models", "no SEM encoder in " + store.dir() + ": expected " + path);
            }
            encoder = TrainedEncoder.load(manager, path);
        }
        return encoder;
    }

    private TrainedDit dit() {
        if (dit == null) {
            dit = Compatibility.dit(manager, store.dit(Conditioning.DLC), Conditioning.DLC, "models");
        }
        return dit;
    }

    private TrainedPrior prior() {
        if (prior == null) {
            prior = CodeSampling.loadPrior(manager, store.prior(), "models");
        }
        return prior;
    }

    /** The prior, checked to write codes the DiT {@code d} reads (their L×V and encoder). */
    private TrainedPrior priorFor(TrainedDit d) {
        TrainedPrior p = prior();
        var pc = p.model().config();
        Compatibility.codeShape(d, "the prior's codes", pc.length(), pc.vocab());
        Compatibility.encoder(d, p.encoderSha(), "the prior's codes");
        return p;
    }

    /** The CLI's prior sampling: analytic, {@code priorSteps} steps. */
    private static PriorSampler.Config priorSampler(Sampling s) {
        return PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, s.priorSteps(), 0.01);
    }

    private TrainedText text() {
        if (text == null) {
            text = CodeSampling.loadText(manager, store.text(), "models");
        }
        return text;
    }

    private static void check(TrainedDit d, Code code, String what) {
        Compatibility.codeShape(d, what, code.length(), code.vocab());
        Compatibility.encoder(d, code.encoderSha256(), what);
    }

    private static void positive(int n) {
        if (n < 1) {
            throw InvalidInputException.of("n", "n must be at least 1, not " + n);
        }
    }

    /** The CLI's DiT sampling: DDIM (or DDPM) with x₀ clipped, guided at every step. */
    private static DitSampling.Options options(Sampling s) {
        SamplerConfig c = s.ddpm() ? SamplerConfig.ddpm(s.steps()) : SamplerConfig.ddim(s.steps(), 0.0);
        return new DitSampling.Options(c.withClipDenoised(true), s.guidance(), Integer.MAX_VALUE, s.batch());
    }

    private static List<GeneratedImage> decoded(Generated g, TrainedDit d) {
        DlcFile codes = g.codes();
        return images(g.images(), d.output(), codes.tokens(), codes.length(), codes.vocab(), codes.encoderSha());
    }

    /** Images [N, C, S, S] in [−1, 1] as pictures, each with the code it was drawn from. */
    private static List<GeneratedImage> images(float[] images, DiT.Config c, int[] tokens, int length, int vocab, String encoderSha) {
        int per = c.channels() * c.image() * c.image();
        List<GeneratedImage> out = new ArrayList<>();
        for (int i = 0; i < images.length / per; i++) {
            BufferedImage picture = ImageGrid.toImage(Arrays.copyOfRange(images, i * per, (i + 1) * per), 1, c.channels(), c.image(), c.image(), 1, 0, 1);
            out.add(new GeneratedImage(picture, new Code(Arrays.copyOfRange(tokens, i * length, (i + 1) * length), vocab, encoderSha, null)));
        }
        return out;
    }

    private <T> T withListener(Supplier<T> work) {
        GradMode.off(); // the caller's thread may not be the one that loaded libtorch
        try (Listener.Scope scope = Listener.using(listener != null ? listener : Listener.current())) {
            return work.get();
        }
    }
}
