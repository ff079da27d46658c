package org.dlc4j.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.dlc4j.nn.Embedding;
import org.dlc4j.nn.Init;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Rng;

/** Turns a batch's {@link Condition} into the D-vector that DiT adds to its timestep embedding. */
public interface ConditionEmbedder {
    /** [B, D]. */
    NDArray forward(Condition c);

    static ConditionEmbedder create(Params p, DiT.Config c, Rng rng) {
        return switch (c.conditioning()) {
            case NONE -> null;
            case CLASS -> new Labels(p, c.classes(), c.dim(), rng);
            case DLC -> new Codes(p, c.length(), c.vocab(), c.dim(), c.scaledCodes(), rng);
            case SEM -> new Vectors(p, c.vectorDim(), c.dim(), rng);
        };
    }

    /** DiT's LabelEmbedder: a table of classes + 1 rows, the last one the null label. */
    final class Labels implements ConditionEmbedder {
        private final Embedding table;
        private final int classes;

        Labels(Params p, int classes, int dim, Rng rng) {
            this.classes = classes;
            table = new Embedding(p, "y_embedder.embedding_table", classes + 1, dim, Init.normal(0.02), rng);
        }

        @Override
        public NDArray forward(Condition c) {
            int[] ids = new int[c.count()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.isNull()[i] ? classes : c.labels()[i];
                if (ids[i] < 0 || ids[i] > classes) {
                    throw new IllegalArgumentException("class " + ids[i] + " outside 0.." + (classes - 1));
                }
            }
            return table.forward(ids);
        }
    }

    /**
     * The reference's SEMEmbedder: one embedding per (position, token) pair, a table of shape (L, V+1, D) whose entry V
     * at every position is the null token, initialised D^−½·N(0, 1) with one null vector repeated over positions;
     * a code embeds as the average over positions of its tokens' entries (times √L when {@code scaled}). The null
     * code is V at every position.
     */
    final class Codes implements ConditionEmbedder {
        private final NDArray table;
        private final int length;
        private final int vocab;
        private final float weight;

        Codes(Params p, int length, int vocab, int dim, boolean scaled, Rng rng) {
            this.length = length;
            this.vocab = vocab;
            this.weight = (float) (scaled ? 1 / Math.sqrt(length) : 1.0 / length);
            Init init = (shape, r) -> {
                float[] w = r.gaussians(length * (vocab + 1) * dim);
                float scale = (float) (1 / Math.sqrt(dim));
                for (int i = 0; i < w.length; i++) {
                    w[i] *= scale;
                }
                for (int l = 1; l < length; l++) {
                    System.arraycopy(w, vocab * dim, w, (l * (vocab + 1) + vocab) * dim, dim);
                }
                return w;
            };
            table = p.add("sem_embedder.embedding_table", new long[] {length, vocab + 1, dim}, init, rng);
        }

        @Override
        public NDArray forward(Condition c) {
            int b = c.count();
            int rows = length * (vocab + 1);
            // Averaging E[l, y_l] over l is one product of a (1/L)-valued multi-hot matrix with the flattened table.
            float[] hot = new float[b * rows];
            for (int i = 0; i < b; i++) {
                for (int l = 0; l < length; l++) {
                    int y = c.isNull()[i] ? vocab : c.tokens()[i * length + l];
                    if (y < 0 || y > vocab || y == vocab && !c.isNull()[i]) {
                        throw new IllegalArgumentException("token " + y + " at position " + l + " outside 0.." + (vocab - 1));
                    }
                    hot[i * rows + l * (vocab + 1) + y] = weight;
                }
            }
            NDManager m = table.getManager();
            return m.create(hot, new Shape(b, rows)).matMul(table.reshape(rows, -1));
        }
    }

    /**
     * The reference's ContEmbedder: {@code embedding_table}, a Linear(in → D, no bias), and a learned null vector
     * {@code fake_latent} in the input space, N(0, 0.02²), that replaces a dropped vector before the projection.
     */
    final class Vectors implements ConditionEmbedder {
        private final NDArray weight;
        private final NDArray nullVector;
        private final int in;

        Vectors(Params p, int in, int dim, Rng rng) {
            this.in = in;
            weight = p.add("y_embedder.embedding_table.weight", new long[] {dim, in}, Init.torchDefault(in), rng);
            nullVector = p.add("y_embedder.fake_latent", new long[] {1, in}, Init.normal(0.02), rng);
        }

        @Override
        public NDArray forward(Condition c) {
            int b = c.count();
            if (c.vectors().length != b * in) {
                throw new IllegalArgumentException(c.vectors().length / Math.max(b, 1) + "-d vectors for a " + in + "-d embedder");
            }
            float[] keep = new float[b];
            for (int i = 0; i < b; i++) {
                keep[i] = c.isNull()[i] ? 0 : 1;
            }
            NDManager m = nullVector.getManager();
            NDArray k = m.create(keep, new Shape(b, 1));
            NDArray v = m.create(c.vectors(), new Shape(b, in)).mul(k).add(nullVector.mul(k.neg().add(1f)));
            return v.matMul(weight.transpose());
        }
    }
}
