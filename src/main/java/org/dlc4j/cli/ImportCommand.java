package org.dlc4j.cli;

import java.util.concurrent.Callable;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;

/** {@code dlc import}: models trained elsewhere into dlc4j checkpoints. */
@Command(name = "import", mixinStandardHelpOptions = true, description = "Import models trained elsewhere (the authors' released checkpoints).",
        subcommands = {ImportHfCommand.class})
public final class ImportCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new InvalidInputException("dlc import needs a subcommand: hf (see dlc import --help)");
    }
}
