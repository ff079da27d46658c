package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.dlc4j.dit.DitRecipe;
import org.dlc4j.experiments.Chain;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc chain}: train the whole chain in one folder, resumable stage by stage, and report the paper's targets ({@link Chain}). */
@Command(name = "chain", mixinStandardHelpOptions = true,
        description = "Train encoder → codes → DLC and unconditional DiTs → prior → text model in one folder (each stage resumable: run the"
                + " same command again after a stop or a kill), then write report.md and report.json with the targets.")
final class ChainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Mixin
    OutputOption output;

    @Option(names = "--quick", description = "Tiny models on 512 training images: the whole chain in a minute or two (a check, not a model).")
    boolean quick;

    @Option(names = "--skip", split = ",", paramLabel = "STAGE", description = "Stages not to run (their models must be in the folder): encoder,"
            + " codes, dit-dlc, dit-none, prior, text.")
    List<String> skip;

    @Option(names = "--budget", split = ",", paramLabel = "STAGE=LIMIT", description = "End a training stage early, e.g. dit-dlc=90m (wall"
            + " minutes) or prior=2000000 (items seen: images or codes); the stage then writes its model.")
    List<String> budgets;

    @Option(names = "--encoder", paramLabel = "FILE", description = "Use this trained SEM encoder instead of training one (e.g. the shipped"
            + " models/sem/fmnist-sem-32x64.safetensors).")
    java.nio.file.Path encoder;

    @Option(names = "--folder", paramLabel = "DIR", description = "Train on your own pictures instead of Fashion-MNIST: PNG/JPEG files, one"
            + " sub-folder per class (the evaluator learns them; without classes it is trained self-supervised), captions in captions.tsv (see dlc data --folder); 10%% of each class is held out.")
    java.nio.file.Path folder;

    @Option(names = "--channels", defaultValue = "3", description = "Channels of --folder pictures: 1 or 3 (default: ${DEFAULT-VALUE}).")
    int channels;

    @Mixin
    FolderOptions folderOptions;

    @Option(names = "--dit-recipe", defaultValue = "fast", description = "How both DiTs train: fast (28 px, batch 16, min-SNR 5) or paper (the"
            + " reference's: 32 px, batch 128) (default: ${DEFAULT-VALUE}).")
    String ditRecipe;

    @Option(names = "--warm-start", split = ",", paramLabel = "STAGE=FILE", description = "Start a model stage (dit-dlc, dit-none, prior, text)"
            + " from this trained model when the folder holds no checkpoint of it, e.g. dit-dlc=models/dit/fmnist-dlc.safetensors (after a"
            + " machine lost the folder).")
    List<String> warmStarts;

    @Override
    public Integer call() {
        Set<Chain.Stage> skipped = EnumSet.noneOf(Chain.Stage.class);
        for (String s : skip != null ? skip : List.<String>of()) {
            skipped.add(stage("--skip", s));
        }
        Map<Chain.Stage, Chain.Budget> limits = new EnumMap<>(Chain.Stage.class);
        for (String b : budgets != null ? budgets : List.<String>of()) {
            String[] kv = b.split("=", 2);
            if (kv.length != 2) {
                throw new InvalidInputException("--budget '" + b + "' is not STAGE=MINUTESm or STAGE=ITEMS, e.g. dit-dlc=90m");
            }
            String v = kv[1].trim().toLowerCase(Locale.ROOT);
            try {
                limits.put(stage("--budget", kv[0]), v.endsWith("m") ? new Chain.Budget(Double.parseDouble(v.substring(0, v.length() - 1)), 0)
                        : new Chain.Budget(0, Long.parseLong(v)));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--budget '" + b + "' is not STAGE=MINUTESm or STAGE=ITEMS, e.g. dit-dlc=90m");
            }
        }
        Map<Chain.Stage, java.nio.file.Path> starts = new EnumMap<>(Chain.Stage.class);
        for (String w : warmStarts != null ? warmStarts : List.<String>of()) {
            String[] kv = w.split("=", 2);
            if (kv.length != 2) {
                throw new InvalidInputException("--warm-start '" + w + "' is not STAGE=FILE, e.g. dit-dlc=models/dit/fmnist-dlc.safetensors");
            }
            starts.put(stage("--warm-start", kv[0]), java.nio.file.Path.of(kv[1].trim()));
        }
        DitRecipe recipe;
        try {
            recipe = DitRecipe.parse(ditRecipe);
        } catch (InvalidInputException e) {
            throw InvalidInputException.of("dit-recipe", e.getMessage()); // the library names its input "recipe"; the chain's flag says whose
        }
        var pictures = folder != null ? folderOptions.options(channels) : null;
        var settings = new Chain.Settings(output.path, folder != null ? folder : data.dir, pictures, quick, common.seed, skipped, limits, encoder,
                recipe, starts);
        try (NDManager manager = common.newManager()) {
            var targets = new Chain(manager, settings).run();
            for (var t : targets) {
                System.out.printf(Locale.ROOT, "%-36s %8.3f  %-7s %s%n", t.name(), t.value(), t.bound(), t.met() == null ? "not measured" : t.met() ? "met"
                        : "not met");
            }
        }
        System.out.println("wrote " + output.path.resolve("report.md") + " and report.json");
        return 0;
    }

    private static Chain.Stage stage(String flag, String name) {
        try {
            return Chain.Stage.parse(name.trim());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(flag + ": " + e.getMessage());
        }
    }
}
