package org.dlc4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.dlc4j.server.DlcServer;
import org.dlc4j.util.Home;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dlc serve}: the web app and its JSON API ({@link DlcServer}), until Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true, subcommands = ServeLoadCommand.class,
        description = "Serve the web app (encode, edit, compose, prompt, sample) and its JSON API on this machine.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 opens it to the network).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--models", paramLabel = "DIR", description = "Models folder, laid out like models/ (default: the shipped models).")
    Path models;

    @Option(names = "--workers", defaultValue = "1", description = "Generations at once, each with its own copy of the models (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--queue", defaultValue = "8", description = "Requests that may wait for a worker; beyond them the server answers 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-images", defaultValue = "16", description = "Most images one request may ask for (default: ${DEFAULT-VALUE}).")
    int maxImages;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds a request may run or wait before it is stopped (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        var defaults = DlcServer.Options.defaults(models != null ? models : Home.models());
        var options = new DlcServer.Options(host, port, defaults.models(), workers, queue, maxImages, defaults.maxSteps(), defaults.maxBodyBytes(),
                timeout);
        System.err.println("loading the models from " + options.models() + " …");
        DlcServer server = DlcServer.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("dlc serve: open " + server.uri() + " (API: " + server.uri() + "openapi.json; Ctrl-C stops)");
        stopped.await();
        return 0;
    }
}
