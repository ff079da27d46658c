package org.dlc4j.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.data.PngFolderDataset;
import org.dlc4j.util.InvalidInputException;

/** What the evaluation accepts as a set of images, and how it is brought to the feature network's input. */
public final class Images {
    /** The file a generator command writes beside its PNGs; preferred over the PNGs when present. */
    public static final String SAMPLES_NPZ = "samples.npz";

    private Images() {}

    /** A folder of PNGs, a folder holding {@code samples.npz}, or an {@code .npz} file. */
    public static ImageDataset load(Path input) {
        if (Files.isDirectory(input)) {
            Path npz = input.resolve(SAMPLES_NPZ);
            return Files.isRegularFile(npz) ? ImageNpz.read(npz) : loadPngs(input);
        }
        if (!Files.exists(input)) {
            throw new InvalidInputException(input + " not found: pass a folder of PNG images, a generator's output folder or an .npz file");
        }
        if (input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz")) {
            return ImageNpz.read(input);
        }
        throw new InvalidInputException(input + " is neither a folder nor an .npz file: pass a folder of PNG images or an .npz of images");
    }

    /**
     * A folder of PNGs: grey when every picture's three channels agree (a grey PNG, or colour that is grey), else colour.
     * The feature network then checks that it reads that many channels.
     */
    private static ImageDataset loadPngs(Path dir) {
        ImageDataset rgb = PngFolderDataset.load(dir, 3);
        int plane = rgb.height() * rgb.width();
        byte[] px = rgb.pixels();
        byte[] grey = new byte[rgb.count() * plane];
        for (int i = 0; i < rgb.count(); i++) {
            int base = i * 3 * plane;
            for (int p = 0; p < plane; p++) {
                byte r = px[base + p];
                if (r != px[base + plane + p] || r != px[base + 2 * plane + p]) {
                    return rgb;
                }
                grey[i * plane + p] = r;
            }
        }
        return new ImageDataset(rgb.name(), rgb.count(), 1, rgb.height(), rgb.width(), grey, rgb.labels(), rgb.captions(), rgb.classNames());
    }

    /**
     * {@code ds} as the feature network {@code c} reads it: its channels at its size; for the Fashion-MNIST network, 32×32
     * images are centre-cropped to 28×28 (undoing the generators' padding). Anything else is refused.
     */
    public static ImageDataset toFeatureInput(ImageDataset ds, FeatureNet.Config c) {
        if (ds.count() == 0) {
            throw new InvalidInputException(ds.name() + " holds no images: pass a non-empty set");
        }
        if (ds.channels() != c.channels()) {
            throw new InvalidInputException(ds.name() + " has " + ds.channels() + (ds.channels() == 1 ? " channel (greyscale)" : " channels (colour)")
                    + ", but the feature network reads " + c.channels() + (c.channels() == 1 ? " (greyscale)" : " (colour)")
                    + ": score images of the data the network was trained on, or train one for these");
        }
        if (ds.height() == c.image() && ds.width() == c.image()) {
            return ds;
        }
        if (c.image() == FeatureNet.SIZE && ds.height() == 32 && ds.width() == 32) {
            return ds.cropTo(FeatureNet.SIZE);
        }
        throw new InvalidInputException(ds.name() + " has " + ds.width() + "×" + ds.height() + " images; the feature network reads "
                + c.image() + "×" + c.image() + (c.image() == FeatureNet.SIZE ? " (or 32×32 padded)" : "") + ": resize them");
    }
}
