package org.dlc4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.io.Json;
import org.dlc4j.server.LoadTest;
import org.dlc4j.util.Home;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dlc serve load}: the bounded loopback load test of the server ({@link LoadTest}). */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Load-test dlc serve on loopback: a server on a free port, concurrent clients sending mixed requests; prints latency"
                + " percentiles, throughput, statuses and resident memory.")
public final class ServeLoadCommand implements Callable<Integer> {
    @Option(names = "--clients", defaultValue = "8", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--requests", defaultValue = "50", description = "Requests per client per round (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--rounds", defaultValue = "2", description = "Rounds; memory is read after each (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--workers", defaultValue = "1", description = "The server's workers (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--queue", defaultValue = "8", description = "The server's queue; beyond it, 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--images", defaultValue = "2", description = "Images per generating request (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--steps", defaultValue = "25", description = "DiT steps per generating request (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--models", paramLabel = "DIR", description = "Models folder (default: the shipped models).")
    Path models;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON here.")
    Path json;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() {
        var report = LoadTest.run(new LoadTest.Options(models != null ? models : Home.models(), clients, requests, rounds, workers, queue, images,
                steps));
        System.out.print(report.markdown());
        report.errorSamples().forEach(e -> System.out.println("error: " + e));
        if (json != null) {
            AtomicFiles.writeString(json, Json.pretty(report) + "\n");
            System.out.println("wrote " + json);
        }
        return report.errors() == 0 ? 0 : 1;
    }
}
