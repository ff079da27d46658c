package org.dlc4j.cli;

import java.util.concurrent.Callable;
import org.dlc4j.dit.DiT;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;

/** {@code dlc dit}: train the image generator and sample it. */
@Command(name = "dit", mixinStandardHelpOptions = true, description = "Train the DiT image generator (unconditional, class, DLC or SEM conditioned) and sample it.",
        subcommands = {DitTrainCommand.class, DitSampleCommand.class, DitCurveCommand.class})
public final class DitCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new InvalidInputException("dlc dit needs a subcommand: train or sample (see dlc dit --help)");
    }
}
