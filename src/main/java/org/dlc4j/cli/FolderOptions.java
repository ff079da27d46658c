package org.dlc4j.cli;

import org.dlc4j.data.ImageFolder;
import picocli.CommandLine.Option;

/** How a folder of one's own pictures is brought to the models' square size ({@link ImageFolder}). */
final class FolderOptions {
    @Option(names = "--size", defaultValue = "32", description = "Side the pictures are brought to (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--fit", defaultValue = "crop", description = "How pictures become square: crop (fill, keep the centre) or pad"
            + " (fit inside, background around) (default: ${DEFAULT-VALUE}).")
    String fit;

    @Option(names = "--background", defaultValue = "white", description = "Colour transparent pixels are composited over: white, black or"
            + " #RRGGBB (default: ${DEFAULT-VALUE}).")
    String background;

    ImageFolder.Options options(int channels) {
        return ImageFolder.Options.colour(size).withChannels(channels).withFit(ImageFolder.Fit.parse(fit))
                .withBackground(ImageFolder.Options.parseBackground(background));
    }
}
