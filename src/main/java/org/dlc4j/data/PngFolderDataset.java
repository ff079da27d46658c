package org.dlc4j.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.dlc4j.util.InvalidInputException;

/**
 * A folder of same-size PNG images, with optional {@code metadata.tsv} (header with a {@code file} column
 * and any of {@code label}, {@code caption}) and, for labelled sets, optional {@code classes.txt} (one
 * class name per line, line k naming label k).
 */
public final class PngFolderDataset {
    public static final String METADATA = "metadata.tsv";
    public static final String CLASSES = "classes.txt";

    private static final String FILE = "file";
    private static final String LABEL = "label";
    private static final String CAPTION = "caption";

    private record Row(int line, int label, String caption) {}

    private record Metadata(boolean hasLabels, boolean hasCaptions, Map<String, Row> rows) {}

    private PngFolderDataset() {}

    /**
     * Every {@code *.png} directly in {@code dir}, in file-name order, as {@code channels} = 1 (grey
     * luminance), 3 (RGB) or 4 (RGBA). With fewer than 4 channels, transparent pixels are composited on white.
     */
    public static ImageDataset load(Path dir, int channels) {
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new InvalidInputException("cannot load %s with %d channels: use 1 (grey), 3 (RGB) or 4 (RGBA)".formatted(dir, channels));
        }
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException("image folder " + dir + " not found: pass a directory of same-size .png files");
        }
        List<Path> files = listPngs(dir);
        if (files.isEmpty()) {
            throw new InvalidInputException(dir + " contains no .png files: put same-size PNG images directly in it (subfolders are not searched)");
        }
        // Metadata is checked before decoding so that a typo fails at once rather than after reading every image.
        Metadata metadata = readMetadata(dir, files);
        List<String> classNames = metadata.hasLabels ? readClassNames(dir) : List.of();
        if (!classNames.isEmpty()) {
            checkLabelsNamed(dir, metadata.rows.values(), classNames.size());
        }

        ImageDataset images = loadFiles(fileName(dir.toAbsolutePath().normalize()), files, channels);
        int[] labels = null;
        List<String> captions = null;
        if (!metadata.rows.isEmpty()) {
            List<Row> rows = files.stream().map(f -> metadata.rows.get(fileName(f))).toList();
            labels = metadata.hasLabels ? rows.stream().mapToInt(Row::label).toArray() : null;
            captions = metadata.hasCaptions ? rows.stream().map(Row::caption).toList() : null;
        }
        return new ImageDataset(images.name(), images.count(), channels, images.height(), images.width(), images.pixels(), labels, captions,
                classNames);
    }

    /** These PNG files, in this order, unlabelled, as {@code channels} = 1, 3 or 4 (see {@link #load}); all must share one size. */
    public static ImageDataset loadFiles(String name, List<Path> files, int channels) {
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new InvalidInputException("image " + f + " not found: pass an existing .png file");
            }
        }
        // decoded one at a time as they are unpacked, so that a large folder is never held as pictures all at once
        List<BufferedImage> lazy = new java.util.AbstractList<>() {
            @Override
            public BufferedImage get(int i) {
                return decode(files.get(i));
            }

            @Override
            public int size() {
                return files.size();
            }
        };
        return fromImages(name, lazy, files.stream().map(Path::toString).toList(), channels);
    }

    /**
     * Decoded pictures as a data set of {@code channels} = 1, 3 or 4 (converted as {@link #load} converts PNGs),
     * unlabelled; all must share one size. {@code names} say which picture is which in messages.
     */
    public static ImageDataset fromImages(String name, List<BufferedImage> images, List<String> names, int channels) {
        if (images.isEmpty()) {
            throw new InvalidInputException(name + " holds no images: give at least one");
        }
        BufferedImage first = images.get(0);
        int height = first.getHeight();
        int width = first.getWidth();
        int plane = height * width;
        byte[] pixels = new byte[images.size() * channels * plane];
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = i == 0 ? first : images.get(i);
            if (image.getHeight() != height || image.getWidth() != width) {
                throw new InvalidInputException("%s is %d×%d but %s is %d×%d: all images must have the same size; resize them to %d×%d"
                        .formatted(names.get(i), image.getWidth(), image.getHeight(), Path.of(names.get(0)).getFileName(),
                                width, height, width, height));
            }
            unpack(argb(image), channels, pixels, i * channels * plane);
        }
        return new ImageDataset(name, images.size(), channels, height, width, pixels, null, null, List.of());
    }

    /**
     * Writes image k as {@code 00000.png}-style names (zero-padded to keep file-name order = index order),
     * plus {@code metadata.tsv} if the set has labels or captions and {@code classes.txt} if it has class
     * names. Tabs and line breaks in captions become spaces, since the TSV format cannot hold them.
     * Refuses a folder that already holds PNGs, which would otherwise mix with the new ones on loading.
     */
    public static void write(Path dir, ImageDataset ds) {
        if (ds.channels() != 1 && ds.channels() != 3 && ds.channels() != 4) {
            throw new IllegalArgumentException("PNG export needs 1, 3 or 4 channels, not " + ds.channels());
        }
        try {
            Files.createDirectories(dir);
            if (!listPngs(dir).isEmpty()) {
                throw new InvalidInputException(dir + " already contains .png files: write to a new or empty directory");
            }
            int digits = Math.max(5, String.valueOf(Math.max(0, ds.count() - 1)).length());
            List<String> names = new ArrayList<>(ds.count());
            for (int i = 0; i < ds.count(); i++) {
                String name = String.format(Locale.ROOT, "%0" + digits + "d.png", i);
                ImageIO.write(toImage(ds, i), "png", dir.resolve(name).toFile());
                names.add(name);
            }
            if (ds.labels() != null || ds.captions() != null) {
                Files.write(dir.resolve(METADATA), metadataLines(ds, names), StandardCharsets.UTF_8);
            }
            if (ds.labels() != null && !ds.classNames().isEmpty()) {
                Files.write(dir.resolve(CLASSES), ds.classNames(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new InvalidInputException("cannot write images to %s: %s; check that the directory is writable and the disk not full"
                    .formatted(dir, Errors.oneLine(e.getMessage())), e);
        }
    }

    private static List<String> metadataLines(ImageDataset ds, List<String> names) {
        var header = new ArrayList<>(List.of(FILE));
        if (ds.labels() != null) {
            header.add(LABEL);
        }
        if (ds.captions() != null) {
            header.add(CAPTION);
        }
        var lines = new ArrayList<String>(names.size() + 1);
        lines.add(String.join("\t", header));
        for (int i = 0; i < names.size(); i++) {
            var fields = new ArrayList<>(List.of(names.get(i)));
            if (ds.labels() != null) {
                fields.add(String.valueOf(ds.labels()[i]));
            }
            if (ds.captions() != null) {
                fields.add(ds.captions().get(i).replaceAll("[\\t\\r\\n]", " "));
            }
            lines.add(String.join("\t", fields));
        }
        return lines;
    }

    /** The {@code *.png} files directly in {@code dir}, in the order {@link #load} reads them. */
    public static List<Path> listPngs(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.filter(p -> fileName(p).toLowerCase(Locale.ROOT).endsWith(".png") && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(PngFolderDataset::fileName))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidInputException("cannot list %s: %s; check the folder's permissions".formatted(dir, Errors.oneLine(e.getMessage())), e);
        }
    }

    /** The rows of metadata.tsv by file name, or no rows if there is no such file. */
    private static Metadata readMetadata(Path dir, List<Path> pngs) {
        Path path = dir.resolve(METADATA);
        if (!Files.isRegularFile(path)) {
            return new Metadata(false, false, Map.of());
        }
        List<String> lines = readLines(path);
        if (lines.isEmpty()) {
            throw new InvalidInputException(path + " is empty: give it a header line such as \"file<TAB>label<TAB>caption\" or delete it");
        }
        List<String> header = Arrays.asList(lines.get(0).replace("\uFEFF", "").split("\t", -1));
        for (String column : header) {
            if (!List.of(FILE, LABEL, CAPTION).contains(column) || header.indexOf(column) != header.lastIndexOf(column)) {
                throw new InvalidInputException("%s line 1: column \"%s\" is unknown or repeated: the header must name file and any of label, caption, once each, separated by tabs"
                        .formatted(path, column));
            }
        }
        if (!header.contains(FILE)) {
            throw new InvalidInputException(path + " line 1: the header has no \"file\" column: add one naming each image");
        }
        Set<String> known = pngs.stream().map(PngFolderDataset::fileName).collect(Collectors.toSet());
        var rows = new HashMap<String, Row>();
        for (int i = 1; i < lines.size(); i++) {
            int line = i + 1;
            if (lines.get(i).isBlank()) {
                continue;
            }
            // The last column takes any further tabs, so a caption placed last may contain them.
            String[] fields = lines.get(i).split("\t", header.size());
            if (fields.length != header.size()) {
                throw new InvalidInputException("%s line %d has %d fields but the header has %d: separate the columns with tabs"
                        .formatted(path, line, fields.length, header.size()));
            }
            String file = fields[header.indexOf(FILE)];
            if (!known.contains(file)) {
                throw new InvalidInputException("%s line %d: there is no file \"%s\" in %s: correct the name or delete the line"
                        .formatted(path, line, file, dir));
            }
            if (rows.containsKey(file)) {
                throw new InvalidInputException("%s line %d: \"%s\" is already listed on line %d: delete one of the lines"
                        .formatted(path, line, file, rows.get(file).line()));
            }
            int label = header.contains(LABEL) ? parseLabel(path, line, fields[header.indexOf(LABEL)]) : 0;
            String caption = header.contains(CAPTION) ? fields[header.indexOf(CAPTION)] : null;
            rows.put(file, new Row(line, label, caption));
        }
        for (Path png : pngs) {
            if (!rows.containsKey(fileName(png))) {
                throw new InvalidInputException("%s does not list %s (it has no line for it): add a line for every .png in the folder or remove the file"
                        .formatted(path, fileName(png)));
            }
        }
        return new Metadata(header.contains(LABEL), header.contains(CAPTION), rows);
    }

    private static int parseLabel(Path path, int line, String text) {
        try {
            int label = Integer.parseInt(text.strip());
            if (label >= 0) {
                return label;
            }
        } catch (NumberFormatException e) {
            // reported below, with the line number
        }
        throw new InvalidInputException("%s line %d: label \"%s\" is not a non-negative integer: write the class index (0, 1, ...)"
                .formatted(path, line, text));
    }

    private static List<String> readClassNames(Path dir) {
        Path path = dir.resolve(CLASSES);
        if (!Files.isRegularFile(path)) {
            return List.of();
        }
        var names = new ArrayList<>(readLines(path).stream().map(String::strip).toList());
        while (!names.isEmpty() && names.get(names.size() - 1).isEmpty()) {
            names.remove(names.size() - 1); // a trailing blank line is not a class
        }
        if (!names.isEmpty()) {
            names.set(0, names.get(0).replace("\uFEFF", ""));
        }
        return names;
    }

    private static void checkLabelsNamed(Path dir, Collection<Row> rows, int numClasses) {
        for (Row row : rows.stream().sorted(Comparator.comparingInt(Row::line)).toList()) {
            if (row.label() >= numClasses) {
                throw new InvalidInputException("%s line %d: label %d but %s names only %d classes (0..%d): add the missing class names or fix the label"
                        .formatted(dir.resolve(METADATA), row.line(), row.label(), dir.resolve(CLASSES), numClasses, numClasses - 1));
            }
        }
    }

    private static List<String> readLines(Path path) {
        try {
            return Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read %s: %s; save it as UTF-8 text and check its permissions"
                    .formatted(path, Errors.oneLine(e.getMessage())), e);
        }
    }

    private static BufferedImage decode(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new InvalidInputException(file + " is not a PNG image: convert it to PNG or remove it from the folder");
            }
            return image;
        } catch (IOException e) {
            throw new InvalidInputException("cannot decode %s: %s; the file is damaged, export it again or remove it"
                    .formatted(file, Errors.oneLine(e.getMessage())), e);
        }
    }

    /**
     * Non-premultiplied ARGB in sRGB. Grey images are read from the raster: {@code getRGB} would treat
     * their samples as linear light and brighten them, so a grey PNG would not load back as written.
     */
    static int[] argb(BufferedImage image) {
        var model = image.getColorModel();
        int width = image.getWidth();
        int height = image.getHeight();
        if (model.getColorSpace().getType() != ColorSpace.TYPE_GRAY || model instanceof IndexColorModel) {
            return image.getRGB(0, 0, width, height, null, 0, width);
        }
        var raster = image.getRaster();
        boolean hasAlpha = raster.getNumBands() > 1;
        int[] grey = to8Bit(raster.getSamples(0, 0, width, height, 0, (int[]) null), model.getComponentSize(0));
        int[] alpha = hasAlpha ? to8Bit(raster.getSamples(0, 0, width, height, 1, (int[]) null), model.getComponentSize(1)) : null;
        int[] out = new int[grey.length];
        for (int p = 0; p < out.length; p++) {
            int a = hasAlpha ? alpha[p] : 255;
            out[p] = a << 24 | grey[p] << 16 | grey[p] << 8 | grey[p];
        }
        return out;
    }

    private static int[] to8Bit(int[] samples, int bits) {
        if (bits != 8) {
            int max = (1 << bits) - 1;
            for (int i = 0; i < samples.length; i++) {
                samples[i] = (samples[i] * 255 + max / 2) / max;
            }
        }
        return samples;
    }

    /** Writes one image's ARGB pixels as {@code channels} planes at {@code offset}. */
    private static void unpack(int[] argb, int channels, byte[] out, int offset) {
        int plane = argb.length;
        for (int p = 0; p < plane; p++) {
            int a = argb[p] >>> 24;
            int r = argb[p] >> 16 & 0xFF;
            int g = argb[p] >> 8 & 0xFF;
            int b = argb[p] & 0xFF;
            if (channels == 4) {
                out[offset + 3 * plane + p] = (byte) a;
            } else {
                r = onWhite(r, a);
                g = onWhite(g, a);
                b = onWhite(b, a);
            }
            if (channels == 1) {
                // ITU-R BT.601 luma with Pillow's integer weights (they sum to 2^16, so grey stays exact).
                out[offset + p] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
            } else {
                out[offset + p] = (byte) r;
                out[offset + plane + p] = (byte) g;
                out[offset + 2 * plane + p] = (byte) b;
            }
        }
    }

    private static int onWhite(int colour, int alpha) {
        return (colour * alpha + 255 * (255 - alpha) + 127) / 255;
    }

    static BufferedImage toImage(ImageDataset ds, int index) {
        int width = ds.width();
        int plane = ds.height() * width;
        int offset = index * ds.imageSize();
        byte[] px = ds.pixels();
        if (ds.channels() == 1) {
            // Copied into the raster, not set through setRGB, which would convert through linear grey.
            var image = new BufferedImage(width, ds.height(), BufferedImage.TYPE_BYTE_GRAY);
            System.arraycopy(px, offset, ((DataBufferByte) image.getRaster().getDataBuffer()).getData(), 0, plane);
            return image;
        }
        boolean alpha = ds.channels() == 4;
        int[] argb = new int[plane];
        for (int p = 0; p < plane; p++) {
            int a = alpha ? px[offset + 3 * plane + p] & 0xFF : 255;
            argb[p] = a << 24 | (px[offset + p] & 0xFF) << 16 | (px[offset + plane + p] & 0xFF) << 8 | px[offset + 2 * plane + p] & 0xFF;
        }
        var image = new BufferedImage(width, ds.height(), alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, ds.height(), argb, 0, width);
        return image;
    }

    private static String fileName(Path path) {
        Path name = path.getFileName();
        return name == null ? path.toString() : name.toString();
    }
}
