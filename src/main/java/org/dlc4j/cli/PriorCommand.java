package org.dlc4j.cli;

import java.util.concurrent.Callable;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;

/** {@code dlc prior}: the SEDD model of p(DLC): train it on encoded codes and sample new codes. */
@Command(name = "prior", mixinStandardHelpOptions = true, description = "Train the SEDD prior over codes (absorbing discrete diffusion) and sample codes from it.",
        subcommands = {PriorTrainCommand.class, PriorSampleCommand.class, PriorSweepCommand.class})
public final class PriorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new InvalidInputException("dlc prior needs a subcommand: train or sample (see dlc prior --help)");
    }
}
