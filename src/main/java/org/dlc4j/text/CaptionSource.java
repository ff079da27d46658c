package org.dlc4j.text;

import java.util.ArrayList;
import java.util.List;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/**
 * Which caption a code is trained (or evaluated) with: one drawn from its class's captions ({@link Captions}, as for
 * Fashion-MNIST), or its own picture's ({@link #ofPictures}, as a folder's {@code captions.tsv} gives them).
 */
public interface CaptionSource {
    /** Every caption, in the order {@link #pick} indexes them. */
    List<String> texts();

    /**
     * For the codes at {@code idx} of {@code codes} (the training codes, or the held-out ones when {@code heldout}),
     * the index in {@link #texts} of the caption each is paired with.
     */
    int[] pick(DlcFile codes, int[] idx, boolean heldout, Rng rng);

    /** Refuses codes this source cannot caption, naming the fix. */
    void check(DlcFile codes, boolean heldout);

    /**
     * One caption per picture: picture i of {@code train} (code i of the training codes) and of {@code test} (code i of
     * the held-out codes). A picture without a caption is captioned by its class name; without either it is refused.
     */
    static CaptionSource ofPictures(ImageDataset train, ImageDataset test) {
        List<String> texts = new ArrayList<>(captionsOf(train));
        texts.addAll(captionsOf(test));
        int trainCount = train.count();
        int testCount = test.count();
        return new CaptionSource() {
            @Override
            public List<String> texts() {
                return texts;
            }

            @Override
            public int[] pick(DlcFile codes, int[] idx, boolean heldout, Rng rng) {
                int[] out = new int[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    out[i] = heldout ? trainCount + idx[i] : idx[i];
                }
                return out;
            }

            @Override
            public void check(DlcFile codes, boolean heldout) {
                int expected = heldout ? testCount : trainCount;
                if (codes.count() != expected) {
                    throw new InvalidInputException("the " + (heldout ? "held-out" : "training") + " codes number " + codes.count() + " but there are "
                            + expected + " captioned pictures: encode the same pictures, in order");
                }
            }
        };
    }

    /** Each picture's caption, or its class name where it has none; a picture with neither is refused. */
    static List<String> captionsOf(ImageDataset pictures) {
        List<String> out = new ArrayList<>(pictures.count());
        for (int i = 0; i < pictures.count(); i++) {
            String c = pictures.captions() != null ? pictures.captions().get(i) : "";
            if (c.isBlank() && pictures.labels() != null && pictures.classNames() != null && !pictures.classNames().isEmpty()) {
                c = pictures.classNames().get(pictures.labels()[i]).replace('-', ' ').replace('_', ' ');
            }
            if (c.isBlank()) {
                throw new InvalidInputException(pictures.name() + " picture " + i + " has neither a caption nor a class: add captions.tsv lines, or"
                        + " sort the pictures into class folders");
            }
            out.add(c);
        }
        return out;
    }
}
