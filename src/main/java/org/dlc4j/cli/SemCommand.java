package org.dlc4j.cli;

import java.util.concurrent.Callable;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;

/** {@code dlc sem}: train the SEM encoder and measure its codes. */
@Command(name = "sem", mixinStandardHelpOptions = true, description = "Train the SEM encoder (self-supervised ViT + Simplicial Embedding) and evaluate its codes.",
        subcommands = {SemTrainCommand.class, SemExportCommand.class, SemEvalCommand.class})
public final class SemCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new InvalidInputException("dlc sem needs a subcommand: train, export or eval (see dlc sem --help)");
    }
}
