package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dlc4j.experiments.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc demo}: the project's main job on built-in defaults, no data set needed ({@link Demo}). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the built-in demo; write its pictures and an HTML page.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    OutputOption output;

    @Mixin
    EncoderOption encoderFile;

    @Option(names = "--models", paramLabel = "DIR", description = "Show a model set dlc chain trained on your own pictures instead (its"
            + " folder): new images, encode/decode of its gallery, compositions and prompts, through the Dlc facade.")
    Path models;

    @Option(names = "--steps", defaultValue = "50", description = "DDIM steps of the --models demo (default: ${DEFAULT-VALUE}).")
    int steps;

    @Override
    public Integer call() {
        Path out = output.path;
        if (models != null) {
            var sampling = org.dlc4j.Sampling.defaults().withSeed(common.seed).withSteps(steps).withGuidance(3);
            System.out.println("demo written: open " + new org.dlc4j.experiments.ModelSetDemo(models, out, sampling).run());
            return 0;
        }
        try (NDManager manager = common.newManager()) {
            Path page = new Demo(out, encoderFile.path, common.seed).run(manager);
            System.out.println("demo written: open " + page);
        }
        return 0;
    }
}
