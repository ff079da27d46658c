package org.dlc4j.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.HostTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dlc inspect}: what a checkpoint holds and where it came from. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a checkpoint's provenance and tensors.")
public final class InspectCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "CHECKPOINT", description = "A .safetensors checkpoint written by dlc4j.")
    Path checkpoint;

    @Option(names = "--tensors", description = "List every tensor with its shape.")
    boolean tensors;

    @Override
    public Integer call() {
        Checkpoint c = Checkpoint.load(checkpoint);
        Checkpoint.Meta m = c.meta();
        long numel = c.tensors().values().stream().mapToLong(HostTensor::numel).sum();
        System.out.println("file:     " + checkpoint);
        System.out.println("kind:     " + m.kind());
        System.out.println("step:     " + m.step());
        System.out.println("dataset:  " + m.dataset());
        System.out.println("seed:     " + m.seed());
        System.out.println("commit:   " + m.commit());
        System.out.println("command:  " + m.command());
        System.out.println("tensors:  " + c.tensors().size() + " (" + numel + " values)");
        m.extra().forEach((k, v) -> System.out.println("extra:    " + k + " = " + v));
        System.out.println("config:   " + m.configJson().replaceAll("\\s+", " "));
        if (tensors) {
            c.tensors().forEach((name, t) -> System.out.println("  " + name + " " + t.dtype() + " " + Arrays.toString(t.shape())));
        }
        return 0;
    }
}
