package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.sem.SemTraining;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write the teacher encoder of a training checkpoint, to evaluate a run that is still going or was stopped.")
final class SemExportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Option(names = "--limit", defaultValue = "0",
            description = "The --limit the run trained with: a ResNet's BatchNorm is recalibrated on those training images (default: all).")
    int limit;

    @Option(names = "--checkpoint", required = true, description = "A dlc sem train checkpoint.")
    Path checkpoint;

    @Mixin
    RequiredOutputOption output;

    @Override
    public Integer call() {
        Path out = output.path;
        if (!java.nio.file.Files.exists(checkpoint)) {
            throw new InvalidInputException("checkpoint " + checkpoint + " not found: pass the --checkpoint of a dlc sem train run");
        }
        // The training images, on which a ResNet's BatchNorm is recalibrated as at the end of a run.
        ImageDataset train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, limit > 0 ? limit : Integer.MAX_VALUE);
        try (NDManager manager = common.newManager()) {
            SemTraining.exportTeacher(manager, checkpoint, train, out);
        }
        System.out.println("wrote " + out);
        return 0;
    }
}
