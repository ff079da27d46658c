package org.dlc4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.data.PngFolderDataset;
import org.dlc4j.report.ImageGrid;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc data}: check that a data set reads, and look at it. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Load a data set, print its counts, write an image grid.")
public final class DataCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Option(names = "--split", defaultValue = "train", description = "train or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--png", description = "Read a folder of PNGs (optional metadata.tsv) instead of Fashion-MNIST.")
    Path png;

    @Option(names = "--channels", defaultValue = "1", description = "Channels for --png: 1, 3 or 4; for --folder: 1 or 3 (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--folder", paramLabel = "DIR", description = "Check a folder of your own PNG/JPEG pictures (sub-folders = classes,"
            + " captions.tsv = captions): counts, original sizes and channels, and every file left out with its reason.")
    Path folder;

    @Mixin
    FolderOptions folderOptions;

    @Option(names = "--pad", defaultValue = "0", description = "Pad images to this size, e.g. 32 (default: none).")
    int pad;

    @Option(names = "--grid", defaultValue = "out/data-grid.png", description = "Where to write a grid of the first images (default: ${DEFAULT-VALUE}).")
    Path grid;

    @Option(names = "--count", defaultValue = "64", description = "Images in the grid (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--export", paramLabel = "DIR", description = "Also write every image as a PNG, one sub-folder per class: a picture folder"
            + " for dlc chain --folder or dlc spark encode.")
    Path export;

    @Override
    public Integer call() {
        ImageDataset ds;
        if (folder != null) {
            ImageFolder.Loaded loaded = ImageFolder.load(folder, folderOptions.options(channels));
            ds = loaded.data();
            System.out.printf(Locale.ROOT, "%s: %d pictures used, %d left out; original sizes %s; source pixels %s%n", folder,
                    ds.count(), loaded.skipped().size(), top(loaded.sizes()), loaded.channels());
            for (ImageFolder.Skipped skip : loaded.skipped()) {
                System.out.println("  left out " + skip.file() + ": " + skip.reason());
            }
            if (ds.captions() != null) {
                System.out.printf(Locale.ROOT, "  captions for %d pictures (%s)%n", ds.captions().stream().filter(c -> !c.isEmpty()).count(),
                        ImageFolder.CAPTIONS);
            }
        } else {
            ds = png != null ? PngFolderDataset.load(png, channels) : FashionMnist.load(data.dir, FashionMnist.Split.parse(split));
        }
        if (pad > 0) {
            ds = ds.padTo(pad);
        }
        System.out.printf(Locale.ROOT, "%s: %d images, %d×%d×%d%n", ds.name(), ds.count(), ds.channels(), ds.height(), ds.width());
        if (ds.labels() != null) {
            int[] counts = new int[Math.max(1, ds.numClasses())];
            for (int l : ds.labels()) {
                counts[l]++;
            }
            for (int k = 0; k < counts.length; k++) {
                String name = k < ds.classNames().size() ? ds.classNames().get(k) : Integer.toString(k);
                System.out.printf(Locale.ROOT, "  %2d %-12s %d%n", k, name, counts[k]);
            }
        }
        int n = Math.min(count, ds.count());
        if (n < 1) {
            throw new InvalidInputException("--count must be at least 1");
        }
        int[] idx = new int[n];
        java.util.Arrays.setAll(idx, i -> i);
        ImageGrid.write(grid, ds.batch(idx), n, ds.channels(), ds.height(), ds.width(), (int) Math.ceil(Math.sqrt(n)), 2, 2);
        System.out.println("grid: " + grid);
        if (export != null) {
            if (Files.exists(export)) {
                throw InvalidInputException.of("export", export + " exists: give a new folder");
            }
            ImageFolder.write(export, ds);
            System.out.printf(Locale.ROOT, "wrote %d pictures to %s%n", ds.count(), export);
        }
        return 0;
    }

    /** The five commonest entries and how many more. */
    private static String top(java.util.Map<String, Integer> counts) {
        var sorted = counts.entrySet().stream().sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed()).toList();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(5, sorted.size()); i++) {
            s.append(i == 0 ? "" : ", ").append(sorted.get(i).getKey()).append(" ×").append(sorted.get(i).getValue());
        }
        return sorted.size() > 5 ? s + " and " + (sorted.size() - 5) + " more" : s.toString();
    }
}
