package org.dlc4j.experiments;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.dlc4j.compose.Composition;
import org.dlc4j.compose.Source;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.data.PngFolderDataset;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.diffusion.discrete.Unmasking;
import org.dlc4j.diffusion.gaussian.Guidance;
import org.dlc4j.diffusion.gaussian.SamplerConfig;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.experiments.ToyStudy;
import org.dlc4j.io.Provenance;
import org.dlc4j.pipeline.Compatibility;
import org.dlc4j.pipeline.Conditioned;
import org.dlc4j.pipeline.Generator;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.report.Grids;
import org.dlc4j.report.Html;
import org.dlc4j.report.ImageGrid;
import org.dlc4j.sem.CodeStats;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.text.TextEncoder;
import org.dlc4j.text.TrainedText;
import org.dlc4j.util.Home;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * The demo ({@code dlc demo}): the project's main job on built-in defaults, no data set needed. It runs the quick toy study and
 * encodes the committed sample images ({@code assets/fmnist}) with the shipped SEM encoder, showing each image's
 * code, the gallery images whose codes share most tokens with it, images the shipped DLC-conditioned DiT
 * generates from the code, images generated from nothing (codes from the shipped SEDD prior, then the DiT), and
 * compositions (codes mixed position by position from two sample images), and images from prompts (the text-to-DLC
 * model, then the DiT).
 */
public final class Demo {
    private static final int NEIGHBOURS = 8;
    private static final int PER_CODE = 6;
    private static final int DEMO_STEPS = 50;
    /** Guidance makes the short-trained DiT follow the code: conditional accuracy 0.61 at 3 against 0.45 at 1 (README). */
    private static final double DEMO_SCALE = 3.0;
    private static final int UNCONDITIONAL = 30;
    private static final int PRIOR_STEPS = 128;
    /** The composed pair: "a shirt with the shape of a boot" (T-shirt/top and Ankle boot sample images). */
    private static final int[] COMPOSED_CLASSES = {0, 9};
    private static final int COMPOSITIONS = 12;
    /** One held-out phrasing, one training caption, one paraphrase the caption file never has. */
    private static final List<String> PROMPTS = List.of("a grayscale picture of an ankle boot", "a photo of a dress", "footwear for the beach");
    private static final int PER_PROMPT = 8;

    private final Path out;
    private final Path encoderPath;
    private final long seed;

    /**
     * @param out         where the pictures and index.html go
     * @param encoderPath the SEM encoder (null: the one the shipped DLC DiT was trained on)
     */
    public Demo(Path out, Path encoderPath, long seed) {
        this.out = out;
        this.encoderPath = encoderPath;
        this.seed = seed;
    }

    /** Runs every part on the shipped models and writes index.html; returns its path. */
    public Path run(NDManager manager) {
        Path assets = Home.dir().resolve("assets").resolve("fmnist");
        ImageDataset queries = PngFolderDataset.load(assets.resolve("queries"), 1);
        ImageDataset gallery = ImageNpz.read(assets.resolve("gallery.npz"));
        // The encoder of the shipped DLC DiT, so that the demo's codes are the ones its decoder reads.
        Path encoder = (encoderPath != null ? encoderPath : ModelStore.shipped().encoderFor(ModelStore.encoderShaOf(ModelStore.shipped().dit(Conditioning.DLC))));
        if (!Files.exists(encoder)) {
            throw InvalidInputException.of("encoder", "SEM encoder " + encoder + " not found: run from a full clone (models/ ships it) or give one");
        }
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>dlc4j demo</title><style>")
                .append("body{font-family:sans-serif;max-width:1200px;margin:2em auto}code{font-size:85%}")
                .append("td{padding:4px 8px;vertical-align:middle}</style></head><body>\n<h1>dlc4j demo</h1>\n");
        {
            DlcFile queryCodes = codes(manager, encoder, queries, gallery, html);
            reconstructions(manager, queries, queryCodes, html);
            unconditional(manager, html);
            composition(manager, queries, queryCodes, html);
            textToImage(manager, html);
            new ToyStudy(ToyStudy.Config.quick(seed), manager, out.resolve("toy"), false).run();
        }
        html.append("<h2>Toy study (paper Sec. 3, quick preset)</h2>\n<p>Diffusion on a grid of Gaussians: the unconditional model's KL ")
                .append("grows with the number of modes, the conditioned ones' does not. <a href=\"toy/index.html\">Full report</a>.</p>\n")
                .append("<img style=\"max-width:640px\" src=\"toy/kl-vs-modes.png\">\n")
                .append("<h2>Provenance</h2><p>commit ").append(Provenance.commit()).append(", command <code>")
                .append(Html.escape(Provenance.command())).append("</code></p></body></html>\n");
        try {
            Files.writeString(out.resolve("index.html"), html);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.resolve("index.html");
    }

    /**
     * The paper's Enc-Dec path: each sample image's code, and images the shipped DLC-conditioned DiT draws from that
     * code alone (different noise per column).
     */
    private void reconstructions(NDManager manager, ImageDataset queries, DlcFile queryCodes, StringBuilder html) {
        Path model = ModelStore.shipped().dit(Conditioning.DLC);
        html.append("<h2>Images generated from the codes</h2>\n");
        if (!Files.exists(model)) {
            html.append("<p>(No DLC-conditioned DiT at <code>").append(Html.escape(model.toString())).append("</code>: train one with ")
                    .append("<code>dlc dit train</code> (DLC-conditioned by default).)</p>\n");
            Listener.current().message("skipped the generated images: " + model + " not found");
            return;
        }
        long start = System.nanoTime();
        try (TrainedDit dit = TrainedDit.load(manager, model)) {
            int size = dit.model().config().image();
            ImageDataset padded = queries.padTo(size);
            int[] order = new int[queries.count() * PER_CODE];
            for (int i = 0; i < order.length; i++) {
                order[i] = i / PER_CODE;
            }
            Compatibility.encoder(dit, queryCodes.encoderSha(), "the demo's encoder");
            var cond = Conditioned.ofCodes(dit, queryCodes, queryCodes.count()).condition().select(order);
            float[] images = DitSampling.sample(manager, dit.model(), cond, sampling(), new Rng(seed));
            ImageDataset samples = ImageDataset.fromBatch("generated", images, dit.model().config().channels(), size, size);
            int[][] rows = new int[queries.count()][PER_CODE];
            int[] queryIdx = new int[queries.count()];
            for (int q = 0; q < queries.count(); q++) {
                queryIdx[q] = q;
                for (int k = 0; k < PER_CODE; k++) {
                    rows[q][k] = q * PER_CODE + k;
                }
            }
            Path png = out.resolve("generated").resolve("from-codes.png");
            Grids.rows(png, padded, queryIdx, samples, rows);
            html.append("<p>Left: the sample image. Right: ").append(PER_CODE).append(" images the DLC-conditioned DiT <code>")
                    .append(model.getFileName()).append("</code> (").append(String.format(Locale.ROOT, "%,d", dit.imagesSeen()))
                    .append(" training images seen) generates from its ").append(dit.model().config().length())
                    .append("-token code alone, DDIM ").append(DEMO_STEPS).append(" steps, guidance scale ").append(DEMO_SCALE).append(".</p>\n<img src=\"generated/")
                    .append(png.getFileName()).append("\">\n");
        }
        Listener.current().message(String.format(Locale.ROOT, "generated %d images from the sample images' codes in %.1f s", queries.count() * PER_CODE,
                (System.nanoTime() - start) / 1e9));
    }

    /** How the demo samples the DiT: DDIM with x₀ clipping, guided. */
    private static DitSampling.Options sampling() {
        return new DitSampling.Options(SamplerConfig.ddim(DEMO_STEPS, 0.0).withClipDenoised(true), DEMO_SCALE, Integer.MAX_VALUE, 100);
    }

    /** The paper's unconditional path: codes drawn from the shipped SEDD prior, then images from the DLC DiT. */
    private void unconditional(NDManager manager, StringBuilder html) {
        Path priorModel = ModelStore.shipped().prior();
        Path ditModel = ModelStore.shipped().dit(Conditioning.DLC);
        html.append("<h2>Unconditional generation: prior, then DiT</h2>\n");
        if (!Files.exists(priorModel) || !Files.exists(ditModel)) {
            html.append("<p>(Needs <code>").append(Html.escape(priorModel.toString())).append("</code> and <code>")
                    .append(Html.escape(ditModel.toString())).append("</code>: train them with <code>dlc prior train</code> and ")
                    .append("<code>dlc dit train</code> (DLC-conditioned by default).)</p>\n");
            Listener.current().message("skipped unconditional generation: " + (Files.exists(priorModel) ? ditModel : priorModel) + " not found");
            return;
        }
        long start = System.nanoTime();
        try (Generator models = Generator.load(manager, priorModel, null, ditModel, null)) {
            var sampler = PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, PRIOR_STEPS, 0);
            float[] images = models.generate(manager, UNCONDITIONAL, sampler, UNCONDITIONAL, sampling(), seed).images();
            TrainedDit dit = models.dit();
            int size = dit.model().config().image();
            Path png = out.resolve("generated").resolve("unconditional.png");
            ImageGrid.write(png, images, UNCONDITIONAL, dit.model().config().channels(), size, size, 10, 2, 2);
            html.append("<p>").append(UNCONDITIONAL).append(" codes drawn from the SEDD prior <code>").append(priorModel.getFileName())
                    .append("</code> (analytic sampler, ").append(PRIOR_STEPS).append(" steps), each decoded by the DiT <code>")
                    .append(ditModel.getFileName()).append("</code> (DDIM ").append(DEMO_STEPS).append(" steps, guidance scale ").append(DEMO_SCALE)
                    .append("). No image goes in.</p>\n<img src=\"generated/").append(png.getFileName()).append("\">\n");
        }
        Listener.current().message(String.format(Locale.ROOT, "generated %d images from prior codes in %.1f s", UNCONDITIONAL, (System.nanoTime() - start) / 1e9));
    }

    /** Section 5.2: new codes mixed position by position from the codes of two sample images of different classes. */
    private void composition(NDManager manager, ImageDataset queries, DlcFile queryCodes, StringBuilder html) {
        Path ditModel = ModelStore.shipped().dit(Conditioning.DLC);
        html.append("<h2>Composition: mixing two codes</h2>\n");
        if (!Files.exists(ditModel)) {
            html.append("<p>(Needs <code>").append(Html.escape(ditModel.toString())).append("</code>.)</p>\n");
            return;
        }
        long start = System.nanoTime();
        try (TrainedDit dit = TrainedDit.load(manager, ditModel)) {
            var sources = new java.util.ArrayList<Source>();
            int size = dit.model().config().image();
            ImageDataset padded = queries.padTo(size);
            float[] pictures = new float[COMPOSED_CLASSES.length * size * size];
            for (int k = 0; k < COMPOSED_CLASSES.length; k++) {
                int i = indexOfLabel(queries, COMPOSED_CLASSES[k]);
                sources.add(Source.ofCode(queryCodes, i, FashionMnist.CLASS_NAMES.get(COMPOSED_CLASSES[k])));
                System.arraycopy(padded.image(i), 0, pictures, k * size * size, size * size);
            }
            Condition cond = Composition.condition(Composition.Method.CODE, sources, null, COMPOSITIONS, new Rng(seed));
            float[] images = DitSampling.sample(manager, dit.model(), cond, sampling(), new Rng(seed + 1));
            Path png = out.resolve("generated").resolve("composition.png");
            Grids.compositions(png, ImageDataset.fromBatch("sources", pictures, 1, size, size),
                    ImageDataset.fromBatch("compositions", images, 1, size, size));
            html.append("<p>Each of the ").append(COMPOSITIONS).append(" new codes takes every one of its ").append(dit.model().config().length())
                    .append(" positions from the code of the ").append(sources.get(0).name()).append(" or of the ").append(sources.get(1).name())
                    .append(" (left column), at random (the paper's code mixing, <code>dlc compose</code>); the DiT draws one image from each.</p>\n")
                    .append("<img src=\"generated/").append(png.getFileName()).append("\">\n");
        }
        Listener.current().message(String.format(Locale.ROOT, "composed %d images from two codes in %.1f s", COMPOSITIONS, (System.nanoTime() - start) / 1e9));
    }

    /** Section 6: prompts → codes from the shipped text-to-DLC model → images from the DLC DiT. */
    private void textToImage(NDManager manager, StringBuilder html) {
        Path textModel = ModelStore.shipped().text();
        Path ditModel = ModelStore.shipped().dit(Conditioning.DLC);
        html.append("<h2>Text to image: prompt, then code, then DiT</h2>\n");
        if (!Files.exists(textModel) || !Files.exists(ditModel)) {
            html.append("<p>(Needs <code>").append(Html.escape(textModel.toString())).append("</code>: train it with <code>dlc text train</code>.)</p>\n");
            Listener.current().message("skipped text to image: " + (Files.exists(textModel) ? ditModel : textModel) + " not found");
            return;
        }
        long start = System.nanoTime();
        try (TrainedText text = TrainedText.load(manager, textModel); TextEncoder encoder = TextEncoder.load()) {
            var tc = text.model().config();
            try (TrainedDit dit = Compatibility.dlcDit(manager, ditModel, tc.length(), tc.vocab(), text.encoderSha(), "the text model", null)) {
                List<String> prompts = PROMPTS.stream().flatMap(p -> java.util.Collections.nCopies(PER_PROMPT, p).stream()).toList();
                var sampler = new Unmasking.Config(tc.length(), Unmasking.Remasking.LOW_CONFIDENCE, 1.0, Unmasking.Config.DEFAULT_SCALE);
                int[] codes = text.sample(encoder, prompts, sampler, prompts.size(), new Rng(seed));
                float[] images = DitSampling.sample(manager, dit.model(), Condition.codes(codes, tc.length()), sampling(), new Rng(seed + 1));
                int size = dit.model().config().image();
                Path png = out.resolve("generated").resolve("text.png");
                ImageGrid.write(png, images, prompts.size(), 1, size, size, PER_PROMPT, 2, 2);
                html.append("<p>Each row: ").append(PER_PROMPT).append(" codes the text-to-DLC model <code>").append(textModel.getFileName())
                        .append("</code> writes for one prompt (").append(tc.length()).append(" unmasking steps, low-confidence, caption guidance ").append(Unmasking.Config.DEFAULT_SCALE)
                        .append("), each decoded by the DiT. ")
                        .append("Prompts, top to bottom: ");
                for (int i = 0; i < PROMPTS.size(); i++) {
                    html.append(i == 0 ? "" : "; ").append("<q>").append(Html.escape(PROMPTS.get(i))).append("</q>");
                }
                html.append(" (a held-out phrasing, a training caption, a paraphrase no caption has).</p>\n<img src=\"generated/")
                        .append(png.getFileName()).append("\">\n");
            }
        }
        Listener.current().message(String.format(Locale.ROOT, "generated %d images from %d prompts in %.1f s", PROMPTS.size() * PER_PROMPT, PROMPTS.size(),
                (System.nanoTime() - start) / 1e9));
    }

    private static int indexOfLabel(ImageDataset images, int label) {
        for (int i = 0; i < images.count(); i++) {
            if (images.labels()[i] == label) {
                return i;
            }
        }
        throw new IllegalStateException("the demo's sample images lack class " + label);
    }

    /**
     * Encodes queries and gallery; one row per query: its code, and the gallery images sharing most tokens. Returns
     * the queries' codes.
     */
    private DlcFile codes(NDManager manager, Path encoder, ImageDataset queries, ImageDataset gallery, StringBuilder html) {
        try (TrainedEncoder enc = TrainedEncoder.load(manager, encoder)) {
            var c = enc.config();
            DlcFile q = enc.codes(queries, c.tau(), false);
            DlcFile g = enc.codes(gallery, c.tau(), false);
            Path dir = out.resolve("codes");
            html.append("<h2>Discrete Latent Codes</h2>\n<p>Each sample image (left) is encoded by the SEM encoder <code>")
                    .append(encoder.getFileName()).append("</code> (sha256 ").append(enc.sha256(), 0, 12).append("…) into ")
                    .append(c.length()).append(" tokens out of ").append(c.vocab())
                    .append("; beside it, the ").append(NEIGHBOURS).append(" of ").append(gallery.count())
                    .append(" Fashion-MNIST test images whose codes share the most positions with it (shared count below each).</p>\n<table>\n");
            for (int i = 0; i < q.count(); i++) {
                int[] code = q.code(i);
                int[] shared = CodeStats.shared(code, g);
                int[] nn = CodeStats.top(shared, NEIGHBOURS, -1);
                Path png = dir.resolve(String.format(Locale.ROOT, "query-%02d.png", i));
                Grids.rows(png, queries, new int[] {i}, gallery, new int[][] {nn});
                StringBuilder counts = new StringBuilder();
                StringBuilder classes = new StringBuilder();
                for (int n : nn) {
                    counts.append(counts.isEmpty() ? "" : ", ").append(shared[n]);
                    classes.append(classes.isEmpty() ? "" : ", ").append(FashionMnist.CLASS_NAMES.get(gallery.labels()[n]));
                }
                html.append("<tr><td><img src=\"codes/").append(png.getFileName()).append("\"><br>")
                        .append(FashionMnist.CLASS_NAMES.get(queries.labels()[i])).append(": <code>")
                        .append(java.util.Arrays.toString(code)).append("</code><br>shared of ").append(c.length()).append(": ")
                        .append(counts).append("<br>classes: ").append(classes).append("</td></tr>\n");
            }
            html.append("</table>\n");
            Listener.current().message(String.format(Locale.ROOT, "encoded %d sample images and %d gallery images with %s", q.count(), g.count(), encoder));
            return q;
        }
    }
}
