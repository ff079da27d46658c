package org.dlc4j.pipeline;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.Images;
import org.dlc4j.report.ImageGrid;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.InvalidInputException;

/** What samples are conditioned on, and the class each one should show (null when unknown). */
public record Conditioned(Condition condition, int[] labels) {
    /** {@code n} samples of these conditions and labels, cycled. */
    public static Conditioned of(Condition condition, int[] labels, int n) {
        return new Conditioned(condition.cycled(n), labels == null ? null : cycle(labels, n));
    }

    /** {@code n} samples of class {@code classId}. */
    public static Conditioned ofClass(int classId, int n) {
        int[] labels = new int[n];
        java.util.Arrays.fill(labels, classId);
        return new Conditioned(Condition.labels(labels), labels);
    }

    /** The first n codes of a DLC file (cycled if shorter), checked against the DiT's L×V. */
    public static Conditioned ofCodes(TrainedDit dit, DlcFile codes, int n) {
        Compatibility.codeShape(dit, "the codes", codes.length(), codes.vocab());
        return of(Condition.codes(codes.tokens(), codes.length()), codes.labels(), n);
    }

    /**
     * Conditions each sample on one of these images (cycled): its class for a class-conditional DiT, its code or SEM
     * vector (encoded with {@code encoder}, which must be the DiT's own) otherwise.
     */
    public static Conditioned fromImages(NDManager manager, TrainedDit dit, ImageDataset set, Path encoder, int n) {
        DiT.Config c = dit.model().config();
        return switch (c.conditioning()) {
            case NONE -> new Conditioned(Condition.none(n), null);
            case CLASS -> {
                if (set.labels() == null) {
                    throw new InvalidInputException(set.name() + " has no labels to condition a class-conditional DiT on: give a class");
                }
                yield of(Condition.labels(set.labels()), set.labels(), n);
            }
            case DLC, SEM -> {
                try (TrainedEncoder enc = TrainedEncoder.load(manager, encoder)) {
                    Compatibility.encoder(dit, enc.sha256(), "encoder " + encoder);
                    if (c.conditioning() == Conditioning.DLC) {
                        yield ofCodes(dit, enc.codes(set, enc.config().tau(), false), n);
                    }
                    float[] sem = enc.encode(set, enc.config().tau(), false, true, 256).sem();
                    yield of(Condition.vectors(sem, enc.config().dim()), set.labels(), n);
                }
            }
        };
    }

    /**
     * Generated images [N, C, S, S] as a data set labelled with the class each was asked for, so that the evaluator
     * reports conditional accuracy (unlabelled when the condition carries no class).
     */
    public ImageDataset samples(String name, float[] images, DiT.Config c) {
        return ImageDataset.fromBatch(name, images, c.channels(), c.image(), c.image())
                .withLabels(labels, labels == null ? List.of() : FashionMnist.CLASS_NAMES);
    }

    /** Generated images [N, C, S, S] to {@code out}: samples.npz (labelled as {@link #samples}) and grid.png of the first 100. */
    public void write(Path out, float[] images, DiT.Config c) {
        int size = c.image();
        ImageNpz.write(out.resolve(Images.SAMPLES_NPZ), samples("dit-samples", images, c));
        int shown = Math.min(images.length / (c.channels() * size * size), 100);
        ImageGrid.write(out.resolve("grid.png"), java.util.Arrays.copyOf(images, shown * c.channels() * size * size), shown, c.channels(),
                size, size, 10, 2, 2);
    }

    private static int[] cycle(int[] labels, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = labels[i % labels.length];
        }
        return out;
    }
}
