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
    private final boolean imagenet;

    /** The metadata key and value of an encoder that reads 224-px crops normalised by ImageNet's statistics (the released one). */
    public static final String INPUT = "input";
    public static final String IMAGENET_224 = "imagenet-224";
    private static final int IMAGENET_SIDE = 224;
    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private TrainedEncoder(Params params, SemEncoder encoder, String sha256, boolean imagenet) {
        this.params = params;
        this.encoder = encoder;
        this.sha256 = sha256;
        this.imagenet = imagenet;
    }

    public static TrainedEncoder load(NDManager manager, Path path) {
        var file = ModelFile.load(manager, path, SemTraining.KIND, SemEncoder.Config.class, "encoder",
                (params, config) -> new SemEncoder(params, config, new Rng(0)));
        return new TrainedEncoder(file.params(), file.model(), file.sha256(), IMAGENET_224.equals(file.extra().get(INPUT)));
    }

    /**
     * The side of the pictures it encodes: its own for dlc4j's encoders; 224 for the released DINOv2 encoder, whose
     * position grid is its 518-px pretraining's and which the authors ran on 224-px centre crops.
     */
    public int inputSize() {
        return imagenet ? IMAGENET_SIDE : encoder.config().image();
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
        int side = inputSize();
        if (images.height() != images.width() || images.height() > side) {
            throw new InvalidInputException(images.name() + " has " + images.width() + "×" + images.height() + " images but the encoder reads "
                    + side + "×" + side + " (smaller square images are padded): resize them");
        }
        ImageDataset data = images.padTo(side);
        int n = data.count();
        int lv = c.length() * c.vocab();
        int[] tokens = new int[n * c.length()];
        float[] probs = withProbs ? new float[n * lv] : null;
        float[] sem = withFeatures ? new float[n * c.dim()] : null;
        float[] cls = withFeatures ? new float[n * c.dim()] : null;
        Batches.inOrder(n, batch, (start, idx) -> {
            int m = idx.length;
            NDArray x = params.manager().create(data.batch(idx), new Shape(m, c.channels(), side, side));
            SemEncoder.Output out = encoder.forward(imagenet ? imagenetNormalised(x) : x, tau);
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

    /** Pictures in [−1, 1] as torchvision's Normalize(ImageNet mean, std) sees them: (x01 − mean) / std per channel. */
    private static NDArray imagenetNormalised(NDArray x) {
        NDManager m = x.getManager();
        NDArray mean = m.create(IMAGENET_MEAN, new Shape(1, 3, 1, 1));
        NDArray std = m.create(IMAGENET_STD, new Shape(1, 3, 1, 1));
        return x.add(1f).div(2f).sub(mean).div(std);
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
