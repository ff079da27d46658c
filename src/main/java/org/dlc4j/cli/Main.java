package org.dlc4j.cli;

import java.util.Arrays;
import org.dlc4j.io.Provenance;
import org.dlc4j.util.DlcException;
import org.dlc4j.util.Listener;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dlc} command: one subcommand per job. */
@Command(name = "dlc", mixinStandardHelpOptions = true, version = "dlc4j 0.1.0",
        description = "Discrete Latent Code diffusion models (Lavoie et al. 2025) on the JVM.",
        subcommands = {DemoCommand.class, ToyCommand.class, DataCommand.class, EvalCommand.class, SemCommand.class, EncodeCommand.class, DitCommand.class, PriorCommand.class, GenerateCommand.class, ComposeCommand.class, TextCommand.class, BenchCommand.class, ChainCommand.class, ServeCommand.class, ImportCommand.class, InspectCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this directly). */
    public static int run(String... args) {
        return execute(new Main(), "dlc", args);
    }

    /**
     * Runs {@code command} (a picocli command, e.g. {@code dlc spark}'s, which lives in its own module) as {@code dlc}
     * runs its own: bad flags and bad input in one line, exit codes 2 and 1, a stack trace only with --verbose.
     */
    public static int execute(Object command, String name, String... args) {
        System.setProperty("java.awt.headless", "true");
        Provenance.setCommand(name + " " + String.join(" ", args));
        boolean verbose = Arrays.asList(args).contains("--verbose");
        CommandLine cli = new CommandLine(command);
        cli.setDefaultValueProvider(OutputOption.PROVIDER);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> reportFailure(e, verbose));
        cli.setParameterExceptionHandler((e, argv) -> {
            System.err.println("dlc: " + e.getMessage().lines().findFirst().orElse("bad arguments")
                    + " (see '" + name + " " + commandPath(e.getCommandLine()) + "--help')");
            return 2;
        });
        try (Listener.Scope scope = Listener.using(new ConsoleListener())) {
            return cli.execute(args);
        }
    }

    private static String commandPath(CommandLine cmd) {
        String qualified = cmd.getCommandSpec().qualifiedName(" ");
        int space = qualified.indexOf(' ');
        return space < 0 ? "" : qualified.substring(space + 1) + " ";
    }

    /** One line for the user; the stack trace only when asked for. */
    static int reportFailure(Exception e, boolean verbose) {
        if (verbose) {
            e.printStackTrace();
        }
        Throwable user = e;
        while (user != null && !(user instanceof DlcException)) {
            user = user.getCause();
        }
        if (user != null) {
            System.err.println("dlc: " + oneLine(withFlag((DlcException) user)));
            return 1;
        }
        System.err.println("dlc: internal error: " + oneLine(e.getClass().getSimpleName() + ": " + e.getMessage())
                + (verbose ? "" : " (run again with --verbose for the stack trace)"));
        return 3;
    }

    /**
     * The library names the input at fault by its own name ("steps 0 is ..."); the user typed a flag. A message that
     * starts with the input's name gets the flag in its place, any other gets the flag appended as a pointer.
     */
    static String withFlag(DlcException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        String p = e.parameter();
        if (p == null) {
            return message;
        }
        String flag = "--" + p;
        return message.startsWith(p + " ") ? flag + message.substring(p.length()) : message + " (" + flag + ")";
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ");
    }
}
