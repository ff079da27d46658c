package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dlc4j.compose.Composition;
import org.dlc4j.compose.Composition.Method;
import org.dlc4j.compose.Source;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.data.PngFolderDataset;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.Images;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dlc compose}: new images from the mixed codes (or averaged SEM vectors) of several source images. */
@Command(name = "compose", mixinStandardHelpOptions = true, subcommands = {ComposeStudyCommand.Table.class, ComposeStudyCommand.Sweep.class},
        description = "Compose several sources (PNG files, test:N / train:N Fashion-MNIST images, or codes.safetensors[:N]) into new images:"
                + " their codes mixed per position (code), their SEM distributions averaged (distribution), or their SEM vectors averaged"
                + " for the SEM-conditioned DiT (embedding). Writes grid.png (sources in the first column), samples.npz and codes.safetensors.")
public final class ComposeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "0..*", paramLabel = "SOURCE", description = "Two or more: a .png file, test:N or train:N, or codes.safetensors[:N].")
    List<String> sourceSpecs = new ArrayList<>();

    @Option(names = "--method", defaultValue = "code", description = "code (the paper), distribution (the reference code) or embedding"
            + " (the continuous baseline) (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--weights", split = ",", description = "One relative weight per source, e.g. 0.7,0.3 (default: equal).")
    double[] weights;

    @Option(names = "--n", defaultValue = "16", description = "Compositions to draw (default: ${DEFAULT-VALUE}).")
    int n;

    @Mixin
    Decoders.Options models;

    @Mixin
    DataOption data;

    @Mixin
    DitCommand.GuidedOptions sampling;

    @Option(names = "--out", defaultValue = "out/compose", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        Method m = Composition.Method.parse(method);
        if (sourceSpecs.size() < 2) {
            throw new InvalidInputException("dlc compose needs at least two sources, got " + sourceSpecs.size()
                    + ": pass .png files, test:N / train:N, or codes.safetensors[:N]");
        }
        if (n < 1) {
            throw new InvalidInputException("--n must be at least 1, not " + n);
        }
        var options = sampling.options();
        try (NDManager manager = common.newManager(); Decoders decoders = Decoders.load(manager, models, EnumSet.of(m))) {
            Inputs inputs = Inputs.load(manager, sourceSpecs, data.dir, decoders.encoder(), models.tau, decoders.imageSize());
            Condition cond = Composition.condition(m, inputs.sources(), weights, n, new Rng(common.seed));
            long start = System.nanoTime();
            float[] images = decoders.sample(manager, m, inputs.sources(), cond, options, new Rng(common.seed + 1));
            double seconds = (System.nanoTime() - start) / 1e9;
            DiT.Config c = decoders.dit(m).model().config();
            ImageDataset samples = ImageDataset.fromBatch("compositions", images, c.channels(), c.image(), c.image());
            ImageNpz.write(out.resolve(Images.SAMPLES_NPZ), samples);
            writeGrid(out.resolve("grid.png"), inputs.images(), samples);
            Source first = inputs.sources().get(0);
            if (m.makesCodes()) {
                new DlcFile(cond.tokens(), first.length(), first.vocab(), null, null, models.tau, first.encoderSha(), "compose " + m.label())
                        .write(out.resolve("codes.safetensors"));
            }
            System.out.printf(Locale.ROOT, "%d %s compositions of %d sources in %.1f s (%s)%nwrote %s and %s%n", n, m.label(),
                    inputs.sources().size(), seconds, sampling.describe(), out.resolve("grid.png"), out.resolve(Images.SAMPLES_NPZ));
        }
        return 0;
    }

    /** One row per source: the source image (white for a bare code), then an equal share of the compositions. */
    static void writeGrid(Path png, ImageDataset sources, ImageDataset samples) {
        int k = sources.count();
        int per = (samples.count() + k - 1) / k;
        int[] sourceIdx = new int[k];
        int[][] rows = new int[k][];
        for (int r = 0; r < k; r++) {
            sourceIdx[r] = r;
            int from = Math.min(samples.count(), r * per);
            int to = Math.min(samples.count(), from + per);
            rows[r] = java.util.stream.IntStream.range(from, to).toArray();
        }
        SemCommand.writeRows(png, sources, sourceIdx, samples, rows);
    }

    /** The sources, resolved and encoded, and their pictures for the grid (padded to the DiT's size). */
    record Inputs(List<Source> sources, ImageDataset images) {
        private static final Pattern SPLIT_INDEX = Pattern.compile("(test|train):(\\d+)");
        private static final Pattern CODE_INDEX = Pattern.compile("(.+\\.safetensors)(?::(\\d+))?");

        static Inputs load(NDManager manager, List<String> specs, Path data, Path encoder, double tau, int size) {
            Map<FashionMnist.Split, ImageDataset> splits = new EnumMap<>(FashionMnist.Split.class);
            List<Source> sources = new ArrayList<>();
            float[] pictures = new float[specs.size() * size * size];
            java.util.Arrays.fill(pictures, 1f);
            try (TrainedEncoder enc = TrainedEncoder.load(manager, encoder)) {
                for (int i = 0; i < specs.size(); i++) {
                    String spec = specs.get(i);
                    ImageDataset image = image(spec, data, splits);
                    Source s;
                    if (image != null) {
                        s = Source.encode(enc, image, List.of(spec), tau).get(0);
                        System.arraycopy(image.padTo(size).image(0), 0, pictures, i * size * size, size * size);
                    } else {
                        Matcher code = CODE_INDEX.matcher(spec);
                        if (!code.matches()) {
                            throw new InvalidInputException("source '" + spec + "' is not a .png file, test:N / train:N, or a DLC file (codes.safetensors[:N])");
                        }
                        s = Source.ofCode(DlcFile.read(Path.of(code.group(1))), code.group(2) != null ? Integer.parseInt(code.group(2)) : 0, spec);
                    }
                    sources.add(s);
                }
            }
            return new Inputs(sources, ImageDataset.fromBatch("sources", pictures, 1, size, size));
        }

        /** The one image a spec names (null when it names a code). */
        private static ImageDataset image(String spec, Path data, Map<FashionMnist.Split, ImageDataset> splits) {
            Matcher m = SPLIT_INDEX.matcher(spec);
            if (m.matches() && !Files.exists(Path.of(spec))) {
                FashionMnist.Split split = m.group(1).equals("test") ? FashionMnist.Split.TEST : FashionMnist.Split.TRAIN;
                ImageDataset set = splits.computeIfAbsent(split, sp -> FashionMnist.load(data, sp));
                int i = Integer.parseInt(m.group(2));
                if (i >= set.count()) {
                    throw new InvalidInputException(spec + ": Fashion-MNIST " + m.group(1) + " has images 0.." + (set.count() - 1));
                }
                return set.slice(i, i + 1);
            }
            if (spec.toLowerCase(Locale.ROOT).endsWith(".png")) {
                return PngFolderDataset.loadFiles(spec, List.of(Path.of(spec)), 1);
            }
            return null;
        }
    }

    /**
     * The DiTs compositions are decoded with, checked against the sources: the DLC-conditioned one for code and
     * distribution mixing, the SEM-conditioned one for embedding averaging (each loaded only when a method needs it).
     */
    record Decoders(Path encoder, TrainedDit dlc, TrainedDit sem) implements AutoCloseable {

        /** The model flags of compose and its studies. */
        static final class Options {
            @Option(names = "--encoder", description = "SEM encoder for image sources (default: the shipped one).")
            Path encoder;

            @Option(names = "--dit", description = "DLC-conditioned DiT (default: the shipped models/dit/fmnist-dlc.safetensors).")
            Path dlcDit;

            @Option(names = "--sem-dit", description = "SEM-conditioned DiT for --method embedding (default: models/dit/fmnist-sem.safetensors,"
                    + " else out/dit/fmnist-sem.safetensors).")
            Path semDit;

            @Option(names = "--tau", defaultValue = "1.0", description = "SEM temperature of distribution mixing (reference: 1; → 0 is code"
                    + " mixing) (default: ${DEFAULT-VALUE}).")
            double tau;
        }

        static Decoders load(NDManager manager, Options o, Set<Method> methods) {
            if (!(o.tau > 0) || Double.isInfinite(o.tau)) {
                throw new InvalidInputException("--tau must be a positive number, not " + o.tau);
            }
            boolean codes = methods.stream().anyMatch(Method::makesCodes);
            TrainedDit dlc = codes ? open(manager, o.dlcDit, Conditioning.DLC) : null;
            TrainedDit sem = null;
            try {
                sem = methods.contains(Method.EMBEDDING) ? open(manager, o.semDit, Conditioning.SEM) : null;
                // The encoder the decoders read: the one the DLC DiT (else the SEM DiT) was trained on.
                Path encoder = SemCommand.encoderFor(o.encoder, dlc != null ? dlc.encoderSha() : sem != null ? sem.encoderSha() : "");
                if (!Files.exists(encoder)) {
                    throw new InvalidInputException("SEM encoder " + encoder + " not found: pass --encoder");
                }
                return new Decoders(encoder, dlc, sem);
            } catch (RuntimeException e) {
                for (TrainedDit opened : new TrainedDit[] {dlc, sem}) {
                    if (opened != null) {
                        opened.close();
                    }
                }
                throw e;
            }
        }

        private static TrainedDit open(NDManager manager, Path given, Conditioning kind) {
            Path path = given != null ? given : DitCommand.trainedModel(kind.name().toLowerCase(Locale.ROOT));
            return DitCommand.loadConditioned(manager, path, kind,
                    kind == Conditioning.DLC ? "--dit" : "--sem-dit");
        }

        int imageSize() {
            return (dlc != null ? dlc : sem).model().config().image();
        }

        TrainedDit dit(Method m) {
            return m.makesCodes() ? dlc : sem;
        }

        /** Images for these composed conditions, after checking the sources speak the chosen DiT's codes or vectors. */
        float[] sample(NDManager manager, Method m, List<Source> sources, Condition cond, DitSampling.Options options, Rng rng) {
            TrainedDit dit = dit(m);
            DiT.Config c = dit.model().config();
            for (Source s : sources) {
                DitCommand.Conditioned.checkEncoder(dit, s.encoderSha(), s.name());
                if (m.makesCodes()) {
                    DitCommand.Conditioned.checkCodeShape(dit, "the codes of " + s.name(), s.length(), s.vocab());
                }
            }
            if (!m.makesCodes() && cond.vectors().length / cond.count() != c.vectorDim()) {
                throw new InvalidInputException("the SEM vectors have " + cond.vectors().length / cond.count() + " entries but the DiT reads "
                        + c.vectorDim() + ": use the encoder it was trained with");
            }
            return DitSampling.sample(manager, dit.model(), cond, options, rng);
        }

        @Override
        public void close() {
            if (dlc != null) {
                dlc.close();
            }
            if (sem != null) {
                sem.close();
            }
        }
    }
}
