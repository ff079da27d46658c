package org.dlc4j.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dlc4j.data.DlcFile;
import org.dlc4j.util.Home;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/**
 * Captions per class, read from a TSV of {@code split, label, caption} ({@code assets/text/fmnist-captions.tsv}, made
 * by {@code make_captions.py}): split {@code train} captions are what the model learns from; {@code heldout} ones use a
 * class name or a template never seen in training, for evaluation.
 */
public record Captions(List<String> texts, int[] labels, boolean[] heldout, int classes) implements CaptionSource {

    public static Path defaultPath() {
        return Home.dir().resolve("assets").resolve("text").resolve("fmnist-captions.tsv");
    }

    public static Captions read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException("caption file " + path + " not found: pass a TSV of split, label, caption (see assets/text)");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Boolean> held = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] f = lines.get(i).split("\t");
            if (f.length != 3 || !(f[0].equals("train") || f[0].equals("heldout"))) {
                throw new InvalidInputException(path + " line " + (i + 1) + " is not 'train|heldout <tab> label <tab> caption': fix the file");
            }
            try {
                labels.add(Integer.parseInt(f[1].strip()));
            } catch (NumberFormatException e) {
                throw new InvalidInputException(path + " line " + (i + 1) + ": label '" + f[1] + "' is not a class number");
            }
            held.add(f[0].equals("heldout"));
            texts.add(f[2].strip());
        }
        int[] l = labels.stream().mapToInt(Integer::intValue).toArray();
        boolean[] h = new boolean[held.size()];
        for (int i = 0; i < h.length; i++) {
            h[i] = held.get(i);
        }
        int classes = java.util.Arrays.stream(l).max().orElse(-1) + 1;
        return new Captions(texts, l, h, classes);
    }

    public int count() {
        return texts.size();
    }

    /** Indices of the captions of class {@code label} in one split. */
    public int[] of(int label, boolean fromHeldout) {
        return java.util.stream.IntStream.range(0, count()).filter(i -> labels[i] == label && heldout[i] == fromHeldout).toArray();
    }

    /** For each label, one caption of it drawn from the split. */
    public int[] draw(int[] forLabels, boolean fromHeldout, Rng rng) {
        int[][] byClass = new int[classes][];
        int[] out = new int[forLabels.length];
        for (int i = 0; i < forLabels.length; i++) {
            int c = forLabels[i];
            if (c < 0 || c >= classes) {
                throw new InvalidInputException("no captions for class " + c + ": the caption file covers classes 0.." + (classes - 1));
            }
            if (byClass[c] == null) {
                byClass[c] = of(c, fromHeldout);
                if (byClass[c].length == 0) {
                    throw new InvalidInputException("the caption file has no " + (fromHeldout ? "held-out" : "training") + " caption for class " + c);
                }
            }
            out[i] = byClass[c][rng.nextInt(byClass[c].length)];
        }
        return out;
    }

    /** A caption of each code's class, from the held-out captions for held-out codes. */
    @Override
    public int[] pick(DlcFile codes, int[] idx, boolean fromHeldout, Rng rng) {
        return draw(codes.labelsOf(idx), fromHeldout, rng);
    }

    @Override
    public void check(DlcFile codes, boolean fromHeldout) {
        if (codes.labels() == null) {
            throw new InvalidInputException("the " + (fromHeldout ? "held-out" : "training") + " codes carry no class labels to pick captions by:"
                    + " encode a labelled split");
        }
    }
}
