package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.nn.Batches;
import org.dlc4j.nn.ModelFile;
import org.dlc4j.nn.Params;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/** A trained SEM encoder used for what it is for: turning images into codes (and SEM distributions, and features). */
public final class TrainedEncoder implements AutoCloseable {
    private final Params params;
    private final SemEncoder encoder;
    private final String sha256;

    private TrainedEncoder(Params params, SemEncoder encoder, String sha256) {
        this.params = params;
        this.encoder = encoder;
        this.sha256 = sha256;
    }

    public static TrainedEncoder load(NDManager manager, Path path) {
        var file = ModelFile.load(manager, path, SemTraining.KIND, SemEncoder.Config.class, "encoder",
                (params, config) -> new SemEncoder(params, config, new Rng(0)));
        return new TrainedEncoder(file.params(), file.model(), file.sha256());
    }

    public SemEncoder.Config config() {
        return encoder.config();
    }

    public String sha256() {
        return sha256;
    }

    /** What encoding a set yields; arrays are row-major per image. */
    public record Encoded(int[] tokens, float[] probs, float[] sem, float[] cls) {
    }

    /**
     * Encodes every image (padded to the encoder's size). {@code probs} are the SEM distributions at {@code tau}
     * (null unless {@code withProbs}); {@code sem} the continuous SEM output and {@code cls} the backbone's [CLS]
     * (null unless {@code withFeatures}).
     */
    public Encoded encode(ImageDataset images, double tau, boolean withProbs, boolean withFeatures, int batch) {
        SemEncoder.Config c = encoder.config();
        if (images.channels() != c.channels()) {
            throw new InvalidInputException(images.name() + " has " + images.channels() + " channels but the encoder reads " + c.channels()
                    + ": convert the images");
        }
        if (images.height() != images.width() || images.height() > c.image()) {
            throw new InvalidInputException(images.name() + " has " + images.width() + "×" + images.height() + " images but the encoder reads "
                    + c.image() + "×" + c.image() + " (smaller square images are padded): resize them");
        }
        ImageDataset data = images.padTo(c.image());
        int n = data.count();
        int lv = c.length() * c.vocab();
        int[] tokens = new int[n * c.length()];
        float[] probs = withProbs ? new float[n * lv] : null;
        float[] sem = withFeatures ? new float[n * c.dim()] : null;
        float[] cls = withFeatures ? new float[n * c.dim()] : null;
        Batches.inOrder(n, batch, (start, idx) -> {
            int m = idx.length;
            NDArray x = params.manager().create(data.batch(idx), new Shape(m, c.channels(), c.image(), c.image()));
            SemEncoder.Output out = encoder.forward(x, tau);
            long[] t = out.logits().argMax(-1).toLongArray();
            for (int i = 0; i < t.length; i++) {
                tokens[start * c.length() + i] = (int) t[i];
            }
            if (withProbs) {
                System.arraycopy(out.probs().toFloatArray(), 0, probs, start * lv, m * lv);
            }
            if (withFeatures) {
                System.arraycopy(out.cls().toFloatArray(), 0, sem, start * c.dim(), m * c.dim());
                System.arraycopy(out.backboneCls().toFloatArray(), 0, cls, start * c.dim(), m * c.dim());
            }
        });
        return new Encoded(tokens, probs, sem, cls);
    }

    /** The codes of a set as a DLC file (with its labels, and the distributions at τ if asked). */
    public DlcFile codes(ImageDataset images, double tau, boolean withProbs) {
        Encoded e = encode(images, tau, withProbs, false, 256);
        SemEncoder.Config c = encoder.config();
        return new DlcFile(e.tokens(), c.length(), c.vocab(), images.labels(), e.probs(), tau, sha256, images.name());
    }

    @Override
    public void close() {
        params.close();
    }
}
