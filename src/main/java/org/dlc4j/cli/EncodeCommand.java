package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.Images;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc encode}: images → Discrete Latent Codes. */
@Command(name = "encode", mixinStandardHelpOptions = true, description = "Write the DLCs of a data split or an image set (tokens [N, L], labels, provenance).")
public final class EncodeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Mixin
    EncoderOption encoderFile;

    @Option(names = "--split", description = "Fashion-MNIST split to encode: train or test.")
    String split;

    @Option(names = "--images", description = "Or a folder of PNGs / an .npz of images to encode.")
    Path images;

    @Mixin
    RequiredOutputOption output;

    @Option(names = "--probs", description = "Also store the SEM distributions [N, L, V] at --tau (composition uses them).")
    boolean probs;

    @Option(names = "--tau", defaultValue = "1.0", description = "SEM temperature for --probs (default: ${DEFAULT-VALUE}).")
    double tau;

    @Option(names = "--limit", defaultValue = "0", description = "Encode the first N images only (default: all).")
    int limit;

    @Override
    public Integer call() {
        Path out = output.path;
        if ((split == null) == (images == null)) {
            throw new InvalidInputException("give exactly one of --split train|test and --images DIR|FILE.npz");
        }
        if (!(tau > 0)) {
            throw new InvalidInputException("--tau must be positive, not " + tau);
        }
        try (NDManager manager = common.newManager();
             TrainedEncoder enc = TrainedEncoder.load(manager, encoderFile.resolve())) {
            ImageDataset set;
            if (split != null) {
                set = FashionMnist.load(data.dir, FashionMnist.Split.parse(split));
            } else if (enc.inputSize() != enc.config().image() && java.nio.file.Files.isDirectory(images)) {
                // The released encoder reads 224-px centre crops of pictures of any size, in colour.
                set = ImageFolder.load(images, ImageFolder.Options.colour(enc.inputSize())).data();
            } else {
                set = Images.load(images);
            }
            if (limit > 0) {
                set = set.take(limit);
            }
            DlcFile codes = enc.codes(set, tau, probs);
            codes.write(out);
            System.out.printf(Locale.ROOT, "%d codes of %d×%d from %s%nwrote %s%n", codes.count(), codes.length(), codes.vocab(), set.name(), out);
        }
        return 0;
    }
}
