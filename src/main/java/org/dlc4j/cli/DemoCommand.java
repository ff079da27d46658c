package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dlc4j.toy.ToyStudy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc demo}: the project's main job on built-in defaults, no data set needed. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the built-in demo; write its pictures and an HTML page.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--out", defaultValue = "out/demo", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        try (NDManager manager = common.newManager()) {
            new ToyStudy(ToyStudy.Config.quick(common.seed), manager, out, false).run();
        }
        System.out.println("demo written: open " + out.resolve("index.html"));
        return 0;
    }
}
