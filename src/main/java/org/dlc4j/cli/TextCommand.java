package org.dlc4j.cli;

import java.util.concurrent.Callable;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;

/** {@code dlc text}: the text-to-DLC masked-diffusion model over a frozen MiniLM: train it on captioned codes, sample codes. */
@Command(name = "text", mixinStandardHelpOptions = true,
        description = "Train the text-to-DLC model (masked diffusion reading frozen MiniLM states) and sample codes from prompts.",
        subcommands = {TextTrainCommand.class, TextSampleCommand.class, TextTableCommand.class})
public final class TextCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new InvalidInputException("dlc text needs a subcommand: train or sample (see dlc text --help)");
    }
}
