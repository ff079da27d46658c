package org.dlc4j.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Option;

/** Options every job shares. */
final class CommonOptions {
    @Option(names = "--seed", defaultValue = "0", description = "Random seed; the same seed gives the same output (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (gpu needs a CUDA libtorch 2.7.1, see README) (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    NDManager newManager() {
        return NDManager.newBaseManager(device());
    }

    /** The device --device names, refused with the fix when it is not there. */
    Device device() {
        return switch (device.toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (Engine.getInstance().getGpuCount() == 0) {
                    throw new InvalidInputException("--device gpu: no GPU is visible to libtorch; install a CUDA libtorch 2.7.1 (PYTORCH_FLAVOR=cu128) or use --device cpu");
                }
                yield Device.gpu();
            }
            default -> throw new InvalidInputException("--device '" + device + "' is not cpu or gpu");
        };
    }
}
