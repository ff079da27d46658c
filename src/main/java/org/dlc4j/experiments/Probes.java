package org.dlc4j.experiments;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.FeatureMatrix;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.FeatureSet;
import org.dlc4j.eval.LinearProbe;
import org.dlc4j.io.HostTensor;
import org.dlc4j.io.Npz;
import org.dlc4j.report.Grids;
import org.dlc4j.sem.CodeStats;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.InvalidInputException;

/**
 * How much class information representations carry: linear probes (logistic regression on frozen representations,
 * trained on train, reported on test) of an encoder's codes, SEM vectors and backbone features, of Fashion-MNIST's
 * own pixels or feature-network features, or of arrays in .npz files; and the k-nearest-code vote and code usage.
 */
public final class Probes {
    private Probes() {}

    /**
     * An encoder's codes measured: probe accuracies (one-hot DLC, continuous SEM, backbone feature), code usage on test,
     * and the k-nearest-code vote accuracy for each k asked for, in order.
     */
    public record EncoderReport(LinearProbe.Result dlc, LinearProbe.Result sem, LinearProbe.Result feature, CodeStats usage, double[] knnAccuracy,
                                DlcFile testCodes) {
    }

    /** Encodes train and test, fits the three probes and counts code usage and the nearest-code votes. */
    public static EncoderReport encoder(NDManager manager, TrainedEncoder enc, ImageDataset train, ImageDataset test, int[] knn, LinearProbe.Config probe) {
        for (int k : knn) {
            if (k < 1 || k > train.count()) {
                throw InvalidInputException.of("knn", "knn counts must lie in 1.." + train.count() + " (the train codes), not " + k);
            }
        }
        var c = enc.config();
        var tr = enc.encode(train, c.tau(), false, true, 256);
        var te = enc.encode(test, c.tau(), false, true, 256);
        var dlc = LinearProbe.fit(new LinearProbe.Tokens(tr.tokens(), c.length(), c.vocab()), train.labels(),
                new LinearProbe.Tokens(te.tokens(), c.length(), c.vocab()), test.labels(), 10, probe, manager);
        var semX = LinearProbe.Vectors.standardised(new FeatureMatrix(train.count(), c.dim(), tr.sem()));
        var sem = LinearProbe.fit(semX, train.labels(), semX.like(new FeatureMatrix(test.count(), c.dim(), te.sem())), test.labels(), 10, probe, manager);
        var clsX = LinearProbe.Vectors.standardised(new FeatureMatrix(train.count(), c.dim(), tr.cls()));
        var cls = LinearProbe.fit(clsX, train.labels(), clsX.like(new FeatureMatrix(test.count(), c.dim(), te.cls())), test.labels(), 10, probe, manager);
        DlcFile codes = new DlcFile(te.tokens(), c.length(), c.vocab(), test.labels(), null, c.tau(), enc.sha256(), test.name());
        DlcFile trainCodes = new DlcFile(tr.tokens(), c.length(), c.vocab(), train.labels(), null, c.tau(), enc.sha256(), train.name());
        double[] accuracy = Arrays.stream(knn).mapToDouble(k -> CodeStats.knnLabelAccuracy(te.tokens(), test.labels(), trainCodes, k)).toArray();
        return new EncoderReport(dlc, sem, cls, CodeStats.of(codes), accuracy, codes);
    }

    /** For 10 queries (the first test image of each class), the query then the 8 test images sharing most tokens. */
    public static void writeNearest(Path grid, ImageDataset test, DlcFile codes) {
        List<Integer> queries = new ArrayList<>();
        for (int cls = 0; cls < 10; cls++) {
            for (int i = 0; i < test.count(); i++) {
                if (test.labels()[i] == cls) {
                    queries.add(i);
                    break;
                }
            }
        }
        int[] q = queries.stream().mapToInt(Integer::intValue).toArray();
        int[][] neighbours = new int[q.length][];
        for (int r = 0; r < q.length; r++) {
            neighbours[r] = CodeStats.nearest(codes, q[r], 8);
        }
        Grids.rows(grid, test, q, test, neighbours);
    }

    /** A probe of Fashion-MNIST itself: its standardised pixels, or the pinned feature network's pooled features ({@code net}). */
    public static LinearProbe.Result baseline(NDManager manager, ImageDataset train, ImageDataset test, FeatureNet net, LinearProbe.Config config) {
        LinearProbe.Vectors x;
        LinearProbe.Vectors y;
        if (net == null) {
            x = LinearProbe.Vectors.standardised(pixels(train));
            y = x.like(pixels(test));
        } else {
            FeatureSet ftr = net.embed(train, FeatureNet.EMBED_BATCH);
            x = LinearProbe.Vectors.standardised(ftr.pool());
            y = x.like(net.embed(test, FeatureNet.EMBED_BATCH).pool());
        }
        return LinearProbe.fit(x, train.labels(), y, test.labels(), 10, config, manager);
    }

    /** A probe of the representations in two .npz files: 'labels' and either 'features' [N, D] or 'tokens' [N, L] with 'vocab'. */
    public static LinearProbe.Result npz(NDManager manager, Path train, Path test, LinearProbe.Config config) {
        var tr = Npz.read(train);
        var te = Npz.read(test);
        int[] ytr = labels(train, tr);
        int[] yte = labels(test, te);
        int classes = Math.max(Arrays.stream(ytr).max().orElse(0), Arrays.stream(yte).max().orElse(0)) + 1;
        LinearProbe.Inputs xtr;
        LinearProbe.Inputs xte;
        if (tr.containsKey("tokens")) {
            int vocab = vocab(train, tr);
            xtr = tokens(train, tr, vocab);
            xte = tokens(test, te, vocab);
        } else {
            var v = LinearProbe.Vectors.standardised(features(train, tr));
            xtr = v;
            xte = v.like(features(test, te));
        }
        return LinearProbe.fit(xtr, ytr, xte, yte, classes, config, manager);
    }

    static FeatureMatrix pixels(ImageDataset ds) {
        int[] all = new int[ds.count()];
        Arrays.setAll(all, i -> i);
        return new FeatureMatrix(ds.count(), ds.imageSize(), ds.batch(all));
    }

    private static int[] labels(Path p, Map<String, HostTensor> a) {
        HostTensor t = require(p, a, "labels");
        if (!t.isInteger()) {
            throw new InvalidInputException(p + ": 'labels' are " + t.dtype() + "; store them as int64 or int32");
        }
        return t.intValues();
    }

    private static FeatureMatrix features(Path p, Map<String, HostTensor> a) {
        HostTensor t = require(p, a, "features");
        if (t.shape().length != 2 || t.dtype() != org.dlc4j.io.DType.F32) {
            throw new InvalidInputException(p + ": 'features' must be float32 [N, D], not " + t.dtype() + " " + Arrays.toString(t.shape()));
        }
        return new FeatureMatrix(Math.toIntExact(t.shape()[0]), Math.toIntExact(t.shape()[1]), t.floats());
    }

    private static int vocab(Path p, Map<String, HostTensor> a) {
        return require(p, a, "vocab").intValues()[0];
    }

    private static LinearProbe.Tokens tokens(Path p, Map<String, HostTensor> a, int vocab) {
        HostTensor t = require(p, a, "tokens");
        if (t.shape().length != 2) {
            throw new InvalidInputException(p + ": 'tokens' must be [N, L], not " + Arrays.toString(t.shape()));
        }
        return new LinearProbe.Tokens(t.intValues(), Math.toIntExact(t.shape()[1]), vocab);
    }

    private static HostTensor require(Path p, Map<String, HostTensor> a, String key) {
        HostTensor t = a.get(key);
        if (t == null) {
            throw new InvalidInputException(p + " has no '" + key + "' array (it has " + a.keySet() + ")");
        }
        return t;
    }
}
