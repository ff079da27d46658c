package org.dlc4j.pipeline;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dlc4j.compose.Source;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.data.PngFolderDataset;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.InvalidInputException;

/**
 * Composition sources named by text, resolved and encoded: a .png file, {@code test:N} / {@code train:N} (a
 * Fashion-MNIST image), or {@code codes.safetensors[:N]} (a stored code); with their pictures for a grid (white for a
 * bare code), padded to the DiT's size.
 */
public record Sources(List<Source> sources, ImageDataset images) {
    private static final Pattern SPLIT_INDEX = Pattern.compile("(test|train):(\\d+)");
    private static final Pattern CODE_INDEX = Pattern.compile("(.+\\.safetensors)(?::(\\d+))?");

    /**
     * Resolves every spec; images are encoded with {@code encoder} at SEM temperature {@code tau}, and shown in the
     * grid at the decoder's {@code size} and {@code channels}. A colour encoder (the released one) reads a PNG of any
     * size as a centre crop at its input side, as it reads any picture.
     */
    public static Sources load(NDManager manager, List<String> specs, Path data, Path encoder, double tau, int size, int channels) {
        Map<FashionMnist.Split, ImageDataset> splits = new EnumMap<>(FashionMnist.Split.class);
        List<Source> sources = new ArrayList<>();
        int per = channels * size * size;
        float[] pictures = new float[specs.size() * per];
        java.util.Arrays.fill(pictures, 1f);
        try (TrainedEncoder enc = TrainedEncoder.load(manager, encoder)) {
            boolean crops = enc.config().channels() == 3;
            for (int i = 0; i < specs.size(); i++) {
                String spec = specs.get(i);
                Source s;
                if (crops && spec.toLowerCase(Locale.ROOT).endsWith(".png")) {
                    s = Source.encode(enc, picture(spec, ImageFolder.Options.colour(enc.inputSize())), List.of(spec), tau).get(0);
                    System.arraycopy(picture(spec, ImageFolder.Options.colour(size).withChannels(channels)).image(0), 0, pictures, i * per, per);
                    sources.add(s);
                    continue;
                }
                ImageDataset image = image(spec, data, splits);
                if (image != null) {
                    s = Source.encode(enc, image, List.of(spec), tau).get(0);
                    System.arraycopy(image.padTo(size).image(0), 0, pictures, i * per, size * size);
                } else {
                    Matcher code = CODE_INDEX.matcher(spec);
                    if (!code.matches()) {
                        throw new InvalidInputException("source '" + spec + "' is not a .png file, test:N / train:N, or a DLC file (codes.safetensors[:N])");
                    }
                    s = Source.ofCode(DlcFile.read(Path.of(code.group(1))), code.group(2) != null ? Integer.parseInt(code.group(2)) : 0, spec);
                }
                sources.add(s);
            }
        }
        return new Sources(sources, ImageDataset.fromBatch("sources", pictures, channels, size, size));
    }

    /** The picture file {@code spec} read as a picture folder's file is read with {@code o}. */
    private static ImageDataset picture(String spec, ImageFolder.Options o) {
        byte[] file;
        try {
            file = Files.readAllBytes(Path.of(spec));
        } catch (java.io.IOException e) {
            throw new InvalidInputException("source " + spec + " cannot be read: " + e.getMessage());
        }
        return new ImageDataset(spec, 1, o.channels(), o.size(), o.size(), ImageFolder.pixels(file, o), null, null, List.of());
    }

    /** The one image a spec names (null when it names a code). */
    private static ImageDataset image(String spec, Path data, Map<FashionMnist.Split, ImageDataset> splits) {
        Matcher m = SPLIT_INDEX.matcher(spec);
        if (m.matches() && !Files.exists(Path.of(spec))) {
            FashionMnist.Split split = m.group(1).equals("test") ? FashionMnist.Split.TEST : FashionMnist.Split.TRAIN;
            ImageDataset set = splits.computeIfAbsent(split, sp -> FashionMnist.load(data, sp));
            int i = Integer.parseInt(m.group(2));
            if (i >= set.count()) {
                throw new InvalidInputException(spec + ": Fashion-MNIST " + m.group(1) + " has images 0.." + (set.count() - 1));
            }
            return set.slice(i, i + 1);
        }
        if (spec.toLowerCase(Locale.ROOT).endsWith(".png")) {
            return PngFolderDataset.loadFiles(spec, List.of(Path.of(spec)), 1);
        }
        return null;
    }
}
