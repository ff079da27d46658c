package org.dlc4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.dlc4j.util.InvalidInputException;

/**
 * Your own pictures as a data set: every PNG and JPEG under a folder (sub-folders too), colour or grey, with or without
 * alpha, brought to one square size. Transparent pixels are composited over a background you choose (white unless
 * told: most pictures with alpha, emoji among them, are drawn to be seen on white). Each picture is scaled so that it
 * fills the square and its centre is kept ({@link Fit#CROP}), or so that all of it fits, with the background around it
 * ({@link Fit#PAD}); scaling averages the area each new pixel covers.
 *
 * <p><b>Labels</b> come from the first level of sub-folders when every picture sits in one ({@code shoes/a.png} has
 * class {@code shoes}; classes in name order). <b>Captions</b> come from {@code captions.tsv} beside the pictures: one
 * line per picture, its path relative to the folder, a tab, its caption.
 *
 * <p>A file that cannot be used (empty, not a PNG or JPEG, damaged, smaller than {@link Options#minSide()} or larger
 * than {@link Options#maxPixels()}, a CMYK JPEG of a kind the JDK cannot decode) is left out with its reason, and the
 * result lists them: the run goes on without them. CMYK JPEGs the JDK decodes are converted to RGB through their
 * colour space; an animated PNG gives its first frame (its default image).
 */
public final class ImageFolder {
    public static final String CAPTIONS = "captions.tsv";

    /** How a picture of another shape becomes a square. */
    public enum Fit {
        /** Scale to cover the square, keep the centre. */
        CROP,
        /** Scale to fit inside the square, fill the rest with the background. */
        PAD;

        public static Fit parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw InvalidInputException.of("fit", "fit must be crop or pad, not '" + s + "'");
            }
        }
    }

    /**
     * @param size       side of the square images, e.g. 32 or 64
     * @param channels   1 (grey, luma) or 3 (RGB)
     * @param background colour transparent pixels are composited over, 0xRRGGBB (and PAD's margin)
     * @param minSide    pictures with a side below this are left out
     * @param maxPixels  pictures with more pixels than this are left out before they are decoded
     */
    public record Options(int size, int channels, Fit fit, int background, int minSide, long maxPixels) {
        public Options {
            if (size < 8 || size > 1024) {
                throw InvalidInputException.of("size", "size must be 8..1024 pixels, not " + size);
            }
            if (channels != 1 && channels != 3) {
                throw InvalidInputException.of("channels", "channels must be 1 (grey) or 3 (colour), not " + channels);
            }
            if (minSide < 1 || maxPixels < 1) {
                throw new IllegalArgumentException("minSide and maxPixels must be positive");
            }
        }

        /** {@code size} px colour, centre crop on white; pictures of 8 px a side up to 40 megapixels. */
        public static Options colour(int size) {
            return new Options(size, 3, Fit.CROP, 0xFFFFFF, 8, 40_000_000L);
        }

        public Options withChannels(int c) {
            return new Options(size, c, fit, background, minSide, maxPixels);
        }

        public Options withFit(Fit f) {
            return new Options(size, channels, f, background, minSide, maxPixels);
        }

        public Options withBackground(int rgb) {
            return new Options(size, channels, fit, rgb, minSide, maxPixels);
        }

        /** A background named white, black or #RRGGBB. */
        public static int parseBackground(String s) {
            String v = s.trim().toLowerCase(Locale.ROOT);
            if (v.equals("white")) {
                return 0xFFFFFF;
            }
            if (v.equals("black")) {
                return 0;
            }
            if (v.matches("#[0-9a-f]{6}")) {
                return Integer.parseInt(v.substring(1), 16);
            }
            throw InvalidInputException.of("background", "background must be white, black or #RRGGBB, not '" + s + "'");
        }
    }

    /** A file left out, and why. */
    public record Skipped(Path file, String reason) {}

    /**
     * @param data      the pictures that could be used, in path order
     * @param files     their paths, relative to the folder
     * @param skipped   the files left out, with their reasons
     * @param sizes     how many pictures had each original size ("64×64")
     * @param channels  how many had each kind of source pixels ("grey", "grey+alpha", "colour", "colour+alpha")
     */
    public record Loaded(ImageDataset data, List<String> files, List<Skipped> skipped, Map<String, Integer> sizes, Map<String, Integer> channels) {
        /**
         * A train/test split that depends only on the file paths: within each class (or the whole set, unlabelled) the
         * pictures are ordered by a hash of their path and the first {@code testFraction} (at least one of any class of
         * two or more) are the test set. Adding or removing a picture moves no other picture between the sets.
         */
        public Split split(double testFraction) {
            if (!(testFraction > 0 && testFraction < 1)) {
                throw InvalidInputException.of("test-fraction", "test-fraction must be between 0 and 1, not " + testFraction);
            }
            int[] labels = data.labels();
            Map<Integer, List<Integer>> groups = new java.util.TreeMap<>();
            for (int i = 0; i < data.count(); i++) {
                groups.computeIfAbsent(labels == null ? 0 : labels[i], k -> new ArrayList<>()).add(i);
            }
            List<Integer> test = new ArrayList<>();
            List<Integer> train = new ArrayList<>();
            for (List<Integer> group : groups.values()) {
                List<Integer> order = new ArrayList<>(group);
                order.sort(Comparator.comparingLong((Integer i) -> mix(files.get(i).hashCode())).thenComparing(files::get));
                int k = group.size() < 2 ? 0 : Math.max(1, (int) Math.round(testFraction * group.size()));
                test.addAll(order.subList(0, k));
                train.addAll(order.subList(k, order.size()));
            }
            train.sort(null);
            test.sort(null);
            return new Split(data.select(data.name() + "-train", train.stream().mapToInt(Integer::intValue).toArray()),
                    data.select(data.name() + "-test", test.stream().mapToInt(Integer::intValue).toArray()));
        }
    }

    /** A training set and a held-out test set. */
    public record Split(ImageDataset train, ImageDataset test) {}

    /** SplitMix64's finaliser: spreads String.hashCode's nearby values over the whole range. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private ImageFolder() {}

    /** Every usable picture under {@code dir}, converted as {@code o} says. */
    public static Loaded load(Path dir, Options o) {
        if (!Files.isDirectory(dir)) {
            throw InvalidInputException.of("data", "image folder " + dir + " not found: give a folder of PNG or JPEG pictures");
        }
        List<Path> files = list(dir);
        if (files.isEmpty()) {
            throw InvalidInputException.of("data", dir + " holds no .png, .jpg or .jpeg files (sub-folders included)");
        }
        boolean labelled = files.stream().allMatch(f -> dir.relativize(f).getNameCount() >= 2);
        List<String> classes = labelled ? files.stream().map(f -> dir.relativize(f).getName(0).toString()).collect(
                java.util.stream.Collectors.toCollection(TreeSet::new)).stream().toList() : List.of();
        Map<String, String> captions = captions(dir);

        int plane = o.size() * o.size();
        byte[] pixels = new byte[files.size() * o.channels() * plane];
        List<Integer> labels = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> keptCaptions = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        Map<String, Integer> kinds = new LinkedHashMap<>();
        int n = 0;
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            BufferedImage image;
            try {
                image = read(f, o);
            } catch (Unusable e) {
                skipped.add(new Skipped(f, e.getMessage()));
                continue;
            }
            sizes.merge(image.getWidth() + "×" + image.getHeight(), 1, Integer::sum);
            boolean alpha = image.getColorModel().hasAlpha();
            boolean grey = image.getColorModel().getNumColorComponents() == 1;
            kinds.merge((grey ? "grey" : "colour") + (alpha ? "+alpha" : ""), 1, Integer::sum);
            convert(image, o, pixels, n * o.channels() * plane);
            n++;
            kept.add(rel);
            if (labelled) {
                labels.add(classes.indexOf(dir.relativize(f).getName(0).toString()));
            }
            keptCaptions.add(captions.getOrDefault(rel, ""));
        }
        if (n == 0) {
            throw InvalidInputException.of("data", "none of the " + files.size() + " pictures in " + dir + " could be used; the first: "
                    + skipped.get(0).file() + ": " + skipped.get(0).reason());
        }
        byte[] used = n == files.size() ? pixels : java.util.Arrays.copyOf(pixels, n * o.channels() * plane);
        boolean anyCaption = keptCaptions.stream().anyMatch(c -> !c.isEmpty());
        ImageDataset data = new ImageDataset(dir.toAbsolutePath().normalize().getFileName().toString(), n, o.channels(), o.size(), o.size(), used,
                labelled ? labels.stream().mapToInt(Integer::intValue).toArray() : null, anyCaption ? keptCaptions : null, classes);
        return new Loaded(data, kept, skipped, sizes, kinds);
    }

    /**
     * Writes {@code ds} as a picture folder that {@link #load} reads back pixel for pixel: one PNG per image, named by its
     * index, in one sub-folder per class when it is labelled (class names made safe for file names). For handing a data
     * set to tools that read folders: {@code dlc chain --folder}, {@code dlc spark encode}.
     */
    public static void write(Path dir, ImageDataset ds) {
        int digits = Integer.toString(Math.max(1, ds.count() - 1)).length();
        try {
            for (int i = 0; i < ds.count(); i++) {
                Path sub = dir;
                if (ds.labels() != null) {
                    String name = ds.labels()[i] < ds.classNames().size() ? ds.classNames().get(ds.labels()[i]) : "class" + ds.labels()[i];
                    sub = dir.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_"));
                }
                Files.createDirectories(sub);
                ImageIO.write(PngFolderDataset.toImage(ds, i), "png", sub.resolve(String.format(Locale.ROOT, "%0" + digits + "d.png", i)).toFile());
            }
        } catch (IOException e) {
            throw new org.dlc4j.util.DlcIoException("cannot write pictures to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Decoded pictures of any size converted as {@link #load} converts files (composited, fitted, resized), unlabelled. */
    public static ImageDataset fromPictures(String name, List<BufferedImage> pictures, Options o) {
        int per = o.channels() * o.size() * o.size();
        byte[] pixels = new byte[pictures.size() * per];
        for (int i = 0; i < pictures.size(); i++) {
            convert(pictures.get(i), o, pixels, i * per);
        }
        return new ImageDataset(name, pictures.size(), o.channels(), o.size(), o.size(), pixels, null, null, List.of());
    }

    static List<Path> list(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> {
                String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
            }).sorted(Comparator.comparing(p -> dir.relativize(p).toString())).toList();
        } catch (IOException e) {
            throw InvalidInputException.of("data", "cannot list " + dir + ": " + e.getMessage());
        }
    }

    private static Map<String, String> captions(Path dir) {
        Path file = dir.resolve(CAPTIONS);
        Map<String, String> out = new HashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw InvalidInputException.of("data", "cannot read " + file + ": " + e.getMessage() + "; save it as UTF-8 text");
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw InvalidInputException.of("data", file + " line " + (i + 1) + " has no tab: write the picture's path, a tab, then its caption");
            }
            out.put(line.substring(0, tab).strip(), line.substring(tab + 1).strip());
        }
        return out;
    }

    /** Why a file is left out. */
    static final class Unusable extends Exception {
        Unusable(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * One picture file's bytes (a PNG or JPEG from anywhere: an archive, a Parquet column, Spark's binaryFile source)
     * converted exactly as {@link #load} converts a file: {@code o.channels()} planes of {@code o.size()}² pixels.
     *
     * @throws InvalidInputException naming why the file is left out (empty, damaged, not PNG/JPEG, too small or large)
     */
    public static byte[] pixels(byte[] file, Options o) {
        try {
            BufferedImage image = read(file.length, () -> new java.io.ByteArrayInputStream(file), o);
            byte[] out = new byte[o.channels() * o.size() * o.size()];
            convert(image, o, out, 0);
            return out;
        } catch (Unusable e) {
            throw InvalidInputException.of("data", e.getMessage());
        }
    }

    /** A source of a file's bytes, opened once. */
    private interface Opener {
        InputStream open() throws IOException;
    }

    /** The picture in {@code f}, checked for size before it is decoded. */
    static BufferedImage read(Path f, Options o) throws Unusable {
        try {
            return read(Files.size(f), () -> Files.newInputStream(f), o);
        } catch (IOException e) {
            throw new Unusable("cannot read: " + e.getMessage());
        }
    }

    private static BufferedImage read(long size, Opener opener, Options o) throws Unusable {
        if (size == 0) {
            throw new Unusable("empty file");
        }
        try (InputStream in = opener.open(); ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = iis == null ? null : ImageIO.getImageReaders(iis);
            if (readers == null || !readers.hasNext()) {
                throw new Unusable("not a PNG or JPEG picture");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!format.equals("png") && !format.equals("jpeg")) {
                    throw new Unusable("a " + format + " picture, not PNG or JPEG");
                }
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < o.minSide() || h < o.minSide()) {
                    throw new Unusable("too small: " + w + "×" + h + " (at least " + o.minSide() + " pixels a side)");
                }
                if ((long) w * h > o.maxPixels()) {
                    throw new Unusable("too large: " + w + "×" + h + " (at most " + o.maxPixels() / 1_000_000 + " megapixels); scale it down first");
                }
                try {
                    return reader.read(0);
                } catch (javax.imageio.IIOException e) {
                    if (format.equals("jpeg") && String.valueOf(e.getMessage()).contains("Unsupported Image Type")) {
                        throw new Unusable("a CMYK JPEG, which is not read here: save it as RGB");
                    }
                    throw new Unusable("damaged: " + Errors.oneLine(e.getMessage()));
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new Unusable("damaged: " + Errors.oneLine(String.valueOf(e.getMessage())));
        }
    }

    /** Composites, fits and writes one picture as {@code o.channels()} planes at {@code offset}. */
    static void convert(BufferedImage image, Options o, byte[] out, int offset) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = PngFolderDataset.argb(image);
        int br = o.background() >> 16 & 0xFF;
        int bg = o.background() >> 8 & 0xFF;
        int bb = o.background() & 0xFF;
        byte[][] src = new byte[3][w * h];
        for (int p = 0; p < argb.length; p++) {
            int a = argb[p] >>> 24;
            src[0][p] = (byte) over(argb[p] >> 16 & 0xFF, br, a);
            src[1][p] = (byte) over(argb[p] >> 8 & 0xFF, bg, a);
            src[2][p] = (byte) over(argb[p] & 0xFF, bb, a);
        }
        int s = o.size();
        // the part of the picture that is kept (CROP) and the size it is drawn at inside the square
        double scale = o.fit() == Fit.CROP ? Math.max((double) s / w, (double) s / h) : Math.min((double) s / w, (double) s / h);
        int cw = o.fit() == Fit.CROP ? Math.min(w, (int) Math.round(s / scale)) : w;
        int ch = o.fit() == Fit.CROP ? Math.min(h, (int) Math.round(s / scale)) : h;
        int x0 = (w - cw) / 2;
        int y0 = (h - ch) / 2;
        int tw = o.fit() == Fit.CROP ? s : Math.max(1, (int) Math.round(w * scale));
        int th = o.fit() == Fit.CROP ? s : Math.max(1, (int) Math.round(h * scale));
        int ox = (s - tw) / 2;
        int oy = (s - th) / 2;
        double[][] fitted = new double[3][];
        for (int c = 0; c < 3; c++) {
            byte[] crop = new byte[cw * ch];
            for (int y = 0; y < ch; y++) {
                System.arraycopy(src[c], (y0 + y) * w + x0, crop, y * cw, cw);
            }
            fitted[c] = ModelView.areaResize(crop, cw, ch, tw, th);
        }
        int plane = s * s;
        int[] back = {br, bg, bb};
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                boolean inside = x >= ox && x < ox + tw && y >= oy && y < oy + th;
                int q = inside ? (y - oy) * tw + (x - ox) : -1;
                double r = inside ? fitted[0][q] : back[0];
                double g = inside ? fitted[1][q] : back[1];
                double b = inside ? fitted[2][q] : back[2];
                int p = y * s + x;
                if (o.channels() == 1) {
                    out[offset + p] = (byte) Math.round((r * 19595 + g * 38470 + b * 7471) / 65536.0);
                } else {
                    out[offset + p] = (byte) Math.round(r);
                    out[offset + plane + p] = (byte) Math.round(g);
                    out[offset + 2 * plane + p] = (byte) Math.round(b);
                }
            }
        }
    }

    private static int over(int colour, int background, int alpha) {
        return (colour * alpha + background * (255 - alpha) + 127) / 255;
    }
}
