package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.dlc4j.compose.Composition;
import org.dlc4j.compose.Composition.Method;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.experiments.CompositionStudy;
import org.dlc4j.io.Hashes;
import org.dlc4j.pipeline.Decoders;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc compose table} and {@code dlc compose sweep}: the composition experiments of Section 5.2 ({@link CompositionStudy}). */
final class ComposeStudyCommand {
    private ComposeStudyCommand() {}

    /** The flags both studies share, and how they set a study up. */
    abstract static class Study {
        @Mixin
        ScoringOptions scoring;

        @Mixin
        ComposeModelOptions models;

        @Option(names = "--models", paramLabel = "DIR", description = "Take the models not given by --encoder, --dit, --sem-dit from this"
                + " folder (a dlc chain folder: sem/encoder, dit/dlc, dit/sem) instead of the shipped ones.")
        Path modelDir;

        @Mixin
        PicturesOption pictures;

        @Mixin
        GuidedSamplerOptions sampling;

        @Option(names = "--pairs", description = "Random pairs of test images from different classes.")
        Integer pairs;

        @Option(names = "--n", description = "Compositions per pair (and weight).")
        Integer n;

        @Option(names = "--methods", split = ",", description = "Methods to compare: code, distribution, embedding.")
        List<String> methodNames;

        @Mixin
        OutputOption output;

        /** Loads the test split, the DiTs the methods need and the feature network, and hands the study to {@code body}. */
        Integer run(List<String> defaultMethods, int defaultPairs, int defaultN, Body body) {
            List<Method> methods = new ArrayList<>();
            for (String s : methodNames != null ? methodNames : defaultMethods) {
                Method m;
                try {
                    m = Composition.Method.parse(s);
                } catch (InvalidInputException e) {
                    throw new InvalidInputException("--methods: " + e.getMessage());
                }
                if (!methods.contains(m)) {
                    methods.add(m);
                }
            }
            int pairCount = pairs != null ? pairs : defaultPairs;
            int perPair = n != null ? n : defaultN;
            if (pairCount < 1 || perPair < 2) {
                throw new InvalidInputException("--pairs must be at least 1 and --n at least 2 (Vendi compares samples), not " + pairCount + " and " + perPair);
            }
            var settings = new CompositionStudy.Settings(pairCount, perPair, methods, sampling.options(), models.tau, scoring.common.seed);
            Path dir = output.path;
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            var test = pictures.given() ? pictures.split().test() : FashionMnist.load(scoring.data.dir, FashionMnist.Split.TEST);
            if (modelDir != null && !Files.isDirectory(modelDir)) {
                throw InvalidInputException.of("models", "models folder " + modelDir + " not found");
            }
            var store = modelDir != null ? ModelStore.open(modelDir) : ModelStore.shipped();
            try (NDManager manager = scoring.common.newManager(); Decoders decoders = models.load(manager, EnumSet.copyOf(methods), store);
                 FeatureNet net = scoring.network.load(manager)) {
                body.run(decoders, new CompositionStudy(manager, test, decoders, net, settings), dir);
            }
            return 0;
        }

        interface Body {
            void run(Decoders decoders, CompositionStudy study, Path dir);
        }
    }

    @Command(name = "table", mixinStandardHelpOptions = true,
            description = "Table 3 analogue: for random pairs of test images from different classes, compositions by each method; Vendi"
                    + " diversity (mean ± std over pairs), the probability mass on each source's class, the share of mixed compositions.")
    static final class Table extends Study implements Callable<Integer> {
        @Option(names = "--code-gallery", description = "Labelled codes of the training images (dlc encode --split train): also reads each"
                + " composed code by its --code-knn nearest codes there, to tell a blend the code carries from one the DiT draws.")
        Path galleryPath;

        @Option(names = "--code-knn", defaultValue = "20", description = "Neighbours in the code vote (default: ${DEFAULT-VALUE}).")
        int codeKnn;

        @Override
        public Integer call() {
            DlcFile gallery = galleryPath != null ? DlcFile.read(galleryPath) : null;
            if (gallery != null && (gallery.labels() == null || codeKnn < 1 || codeKnn > gallery.count())) {
                throw new InvalidInputException("--code-gallery needs labelled codes (dlc encode --split train) and --code-knn in 1.." + gallery.count()
                        + ", not " + codeKnn);
            }
            return run(List.of("code", "distribution", "embedding"), 10, 256, (decoders, study, dir) -> {
                if (gallery != null && decoders.dlc() != null) {
                    checkGallery(gallery, decoders);
                }
                System.out.print(study.table(dir, gallery, codeKnn));
                System.out.println("wrote " + dir.resolve("table.md") + ", table.csv and one grid per method (rows: source a, source b, compositions)");
            });
        }

        /** The gallery must hold codes of the encoder the compositions' sources are encoded with; else the command that makes them. */
        private static void checkGallery(DlcFile gallery, Decoders decoders) {
            var c = decoders.dlc().model().config();
            String sha = Hashes.sha256(decoders.encoder());
            if (gallery.length() != c.length() || gallery.vocab() != c.vocab() || !gallery.encoderSha().isEmpty() && !gallery.encoderSha().equals(sha)) {
                throw new InvalidInputException("--code-gallery holds " + gallery.length() + "×" + gallery.vocab() + " codes of another encoder than the"
                        + " compositions' (" + c.length() + "×" + c.vocab() + "): encode the training images with theirs: dlc encode --split train --encoder "
                        + decoders.encoder());
            }
        }
    }

    @Command(name = "sweep", mixinStandardHelpOptions = true,
            description = "Weight sweep: compositions of random test pairs as the weight on source a goes from 0 to 1; the mean probability"
                    + " of a's and b's classes against that weight, plotted.")
    static final class Sweep extends Study implements Callable<Integer> {
        @Option(names = "--grid", split = ",", defaultValue = "0,0.2,0.4,0.5,0.6,0.8,1", description = "Weights on source a (default: ${DEFAULT-VALUE}).")
        double[] grid;

        @Override
        public Integer call() {
            for (double w : grid) {
                if (!(w >= 0 && w <= 1)) {
                    throw new InvalidInputException("--grid weights must lie in [0, 1], not " + w);
                }
            }
            return run(List.of("code"), 3, 64, (decoders, study, dir) -> {
                study.sweep(dir, grid);
                System.out.println("wrote " + dir.resolve("sweep.csv") + " and " + dir.resolve("sweep.png"));
            });
        }
    }
}
