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
            return Files.isRegularFile(npz) ? ImageNpz.read(npz) : loadGreyPngs(input);
        }
        if (!Files.exists(input)) {
            throw new InvalidInputException(input + " not found: pass a folder of PNG images, a generator's output folder or an .npz file");
        }
        if (input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz")) {
            return ImageNpz.read(input);
        }
        throw new InvalidInputException(input + " is neither a folder nor an .npz file: pass a folder of PNG images or an .npz of images");
    }

    /** PNGs must be greyscale: a colour image would be silently averaged to grey, which is not what was generated. */
    private static ImageDataset loadGreyPngs(Path dir) {
        ImageDataset rgb = PngFolderDataset.load(dir, 3);
        int plane = rgb.height() * rgb.width();
        byte[] px = rgb.pixels();
        byte[] grey = new byte[rgb.count() * plane];
        for (int i = 0; i < rgb.count(); i++) {
            int base = i * 3 * plane;
            for (int p = 0; p < plane; p++) {
                byte r = px[base + p];
                if (r != px[base + plane + p] || r != px[base + 2 * plane + p]) {
                    List<Path> files = PngFolderDataset.listPngs(dir);
                    throw new InvalidInputException(files.get(i) + " has colour (3 channels that differ), but the feature network reads"
                            + " greyscale images: save the samples as 1-channel PNGs");
                }
                grey[i * plane + p] = r;
            }
        }
        return new ImageDataset(rgb.name(), rgb.count(), 1, rgb.height(), rgb.width(), grey, rgb.labels(), rgb.captions(), rgb.classNames());
    }

    /** One channel at 28×28 (32×32 is centre-cropped, undoing the generators' padding); anything else is refused. */
    public static ImageDataset toFeatureInput(ImageDataset ds) {
        if (ds.count() == 0) {
            throw new InvalidInputException(ds.name() + " holds no images: pass a non-empty set");
        }
        if (ds.channels() != 1) {
            throw new InvalidInputException(ds.name() + " has " + ds.channels() + " channels, but the feature network reads 1-channel"
                    + " (greyscale) images: convert them to greyscale");
        }
        if (ds.height() == FeatureNet.SIZE && ds.width() == FeatureNet.SIZE) {
            return ds;
        }
        if (ds.height() == 32 && ds.width() == 32) {
            return ds.cropTo(FeatureNet.SIZE);
        }
        throw new InvalidInputException(ds.name() + " has " + ds.width() + "×" + ds.height() + " images; the feature network reads"
                + " Fashion-MNIST's 28×28 (or 32×32 padded): resize them");
    }
}
