package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.Evaluator;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.FeatureSet;
import org.dlc4j.eval.Images;
import org.dlc4j.eval.Reference;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dlc eval}: the metrics of the paper's tables, measured with the project's pinned feature network. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score image sets (PNG folders, .npz, generator output): FD, sFD, KID, IS, precision/recall, Vendi, accuracy.",
        subcommands = {EvalTrainFeaturesCommand.class, EvalReferenceCommand.class, EvalSanityCommand.class, LinearProbeCommand.class})
public final class EvalCommand implements Callable<Integer> {

    @Mixin
    ScoringOptions scoring;

    @Parameters(paramLabel = "INPUT", arity = "0..*", description = "Folders of PNGs (labels from metadata.tsv), generator output folders or .npz files.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--ref", defaultValue = "test", description = "Reference: test, train (Fashion-MNIST, stored statistics) or a folder/.npz (default: ${DEFAULT-VALUE}).")
    String ref;

    @Option(names = "--ref-n", defaultValue = "10000", description = "Reference images whose features KID and precision/recall use (default: ${DEFAULT-VALUE}).")
    int refN;

    @Option(names = "--n", defaultValue = "0", description = "Use only the first N images of each input (default: all).")
    int n;

    @Option(names = "--json", defaultValue = "out/eval/report.json", description = "Where to write the JSON report (default: ${DEFAULT-VALUE}).")
    Path json;

    @Override
    public Integer call() {
        if (inputs.isEmpty()) {
            throw new InvalidInputException("dlc eval needs at least one INPUT (a PNG folder, a generator's output folder or an .npz); see dlc eval --help");
        }
        if (n < 0 || refN < 1) {
            throw new InvalidInputException("--n must be >= 0 and --ref-n >= 1");
        }
        try (NDManager manager = scoring.common.newManager(); FeatureNet net = scoring.network.load(manager)) {
            // Inputs are read and checked before the reference is embedded, so a bad folder fails in a second.
            var sets = new LinkedHashMap<String, ImageDataset>();
            for (Path input : inputs) {
                ImageDataset images = Images.toFeatureInput(Images.load(input), net.config());
                sets.put(input.toString(), n > 0 ? images.take(n) : images);
            }
            var reference = Reference.open(ref, scoring.data.dir, refN, net, manager);
            List<Evaluator.Report> reports = new ArrayList<>();
            for (var e : sets.entrySet()) {
                FeatureSet f = net.embed(e.getValue(), FeatureNet.EMBED_BATCH);
                reports.add(Evaluator.evaluate(e.getKey(), f, reference.stats(), reference.features(),
                        Evaluator.Options.defaults(scoring.common.seed), manager));
            }
            System.out.print(Evaluator.table(reports));
            if (reference.features() == null) {
                System.out.println("(KID and precision/recall need the reference images: " + reference.note() + ")");
            }
            Evaluator.writeJson(json, net, reference.stats(), reports, scoring.common.seed);
            System.out.println("report: " + json);
        }
        return 0;
    }
}
