package org.dlc4j.cli;

import java.nio.file.Path;
import org.dlc4j.data.ImageFolder;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --folder DIR} of one's own pictures in place of Fashion-MNIST, with how they are read and the held-out share:
 * the same split as {@code dlc chain --folder} (and {@code dlc eval train-features}) makes, so that a command run on a
 * chain's pictures trains on its training pictures and measures on its held-out ones.
 */
final class PicturesOption {
    @Option(names = "--folder", paramLabel = "DIR", description = "Your own pictures instead of Fashion-MNIST (one sub-folder per class;"
            + " see dlc data --folder): the training share, or the held-out share for measurements, as dlc chain --folder splits them.")
    Path folder;

    @Option(names = "--channels", defaultValue = "3", description = "Channels of --folder pictures: 1 or 3 (default: ${DEFAULT-VALUE}).")
    int channels;

    @Mixin
    FolderOptions read;

    @Mixin
    TestFractionOption testFraction;

    boolean given() {
        return folder != null;
    }

    /** The folder's pictures split by path hash; the files left out are reported on stderr. */
    ImageFolder.Split split() {
        var loaded = ImageFolder.load(folder, read.options(channels));
        if (!loaded.skipped().isEmpty()) {
            System.err.println(loaded.skipped().size() + " pictures of " + folder + " left out (dlc data --folder lists them)");
        }
        return loaded.split(testFraction.value);
    }
}
