package org.dlc4j.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** {@code --out}: where a command writes its results; each command's default is in {@link #DEFAULTS} and --help shows it. */
final class OutputOption {
    /** The default output of each command that has one, by its full name. */
    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("dlc bench", "out/bench"),
            Map.entry("dlc chain", "out/chain"),
            Map.entry("dlc compose", "out/compose"),
            Map.entry("dlc compose table", "out/compose/table"),
            Map.entry("dlc compose sweep", "out/compose/sweep"),
            Map.entry("dlc demo", "out/demo"),
            Map.entry("dlc dit curve", "out/dit/curve"),
            Map.entry("dlc dit sample", "out/dit/samples"),
            Map.entry("dlc eval sanity", "out/eval/sanity.md"),
            Map.entry("dlc generate", "out/generate"),
            Map.entry("dlc prior sample", "out/prior/codes.safetensors"),
            Map.entry("dlc prior sweep", "out/prior/sweep"),
            Map.entry("dlc text sample", "out/text/codes.safetensors"),
            Map.entry("dlc text table", "out/text/table"),
            Map.entry("dlc toy", "out/toy"));

    /** Supplies the defaults above to picocli, which fills {@code --out} with them and shows them in --help. */
    static final CommandLine.IDefaultValueProvider PROVIDER = (ArgSpec arg) -> arg instanceof OptionSpec o && o.longestName().equals("--out")
            ? DEFAULTS.get(arg.command().qualifiedName()) : null;

    @Option(names = "--out", paramLabel = "PATH", description = "Where to write the results (default: ${DEFAULT-VALUE}).")
    Path path;
}
