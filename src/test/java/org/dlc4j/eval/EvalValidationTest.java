package org.dlc4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped, pinned feature network measured on real data: each metric must move the way it is meant to
 * under known corruptions. Sets are 2,000 images, so these are coarse but not fragile bounds.
 */
class EvalValidationTest {
    static final int N = 2000;
    static NDManager manager;
    static FeatureNet net;
    static ImageDataset test;
    static FeatureSet trainRef;
    static ReferenceStats trainStats;

    @BeforeAll
    static void load() {
        assumeTrue(Files.exists(FashionMnist.DEFAULT_DIR.resolve("t10k-images-idx3-ubyte.gz")), "Fashion-MNIST not installed");
        manager = NDManager.newBaseManager();
        net = FeatureNet.load(manager, FeatureNet.defaultPath(), false); // the pinned file, or this fails
        test = FashionMnist.load(FashionMnist.DEFAULT_DIR, FashionMnist.Split.TEST);
        // Not shipped: made from the 60,000 training images on first use and kept (what dlc eval --ref train does).
        Reference train = Reference.open("train", FashionMnist.DEFAULT_DIR, N, net, manager);
        trainRef = train.features(); // the first N training images
        trainStats = train.stats();
        assertEquals(60_000, trainStats.count());
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            net.close();
            manager.close();
        }
    }

    static Evaluator.Report score(ImageDataset images) {
        return Evaluator.evaluate(images.name(), net.embed(images, 500), trainStats, trainRef, new Evaluator.Options(20, 500, 10, 3, 0), manager);
    }

    @Test
    void statisticsThatAreNotThereAreMadeOnceAndKept(@TempDir Path dir) {
        Path path = dir.resolve("part-stats.safetensors");
        Reference made = Reference.madeOnce(path, "part", test.take(300), 300, net, manager);
        ReferenceStats kept = ReferenceStats.load(path, net.sha256());
        assertEquals(300, kept.count());
        assertArrayEquals(made.stats().pool().mean(), kept.pool().mean(), 1e-5); // stored as float32
        assertEquals(0, made.stats().spatial().frechetDistance(kept.spatial()), 1e-3);
    }

    @Test
    void shippedNetworkReachesTheAccuracyItIsPinnedForAndTheStoredStatsAreItsOwn() {
        FeatureSet all = net.embed(test, 500);
        assertTrue(all.accuracy() >= 0.92, "test accuracy " + all.accuracy());
        ReferenceStats stored = ReferenceStats.load(ReferenceStats.defaultPath("test"), net.sha256());
        ReferenceStats again = ReferenceStats.compute("test", all, net.sha256(), manager);
        assertEquals(10_000, stored.count());
        assertArrayEquals(again.pool().mean(), stored.pool().mean(), 1e-4);
        assertEquals(0, again.pool().frechetDistance(stored.pool()), 1e-3);
        assertEquals(0, again.spatial().frechetDistance(stored.spatial()), 1e-3);
    }

    @Test
    void fdIsSmallForRealImagesHugeForNoiseAndRisesWithCorruption() {
        ImageDataset sample = test.take(N);
        double real = score(sample).fd();
        double noise = score(Degrade.uniformNoise(N, 28, new Rng(1))).fd();
        assertTrue(noise > 50 * real, "uniform noise FD " + noise + " vs real " + real);
        double last = real;
        for (double sigma : new double[] {0.05, 0.1, 0.2, 0.4}) {
            double fd = score(Degrade.noise(sample, sigma, new Rng(2))).fd();
            assertTrue(fd > last, "FD " + fd + " at noise σ=" + sigma + " is not above " + last);
            last = fd;
        }
        last = real;
        for (double sigma : new double[] {0.5, 1.0, 2.0}) {
            Evaluator.Report r = score(Degrade.blur(sample, sigma));
            assertTrue(r.fd() > last, "FD " + r.fd() + " at blur σ=" + sigma + " is not above " + last);
            last = r.fd();
        }
    }

    @Test
    void precisionFallsUnderNoiseAndRecallWhenAClassIsMissing() {
        ImageDataset sample = test.take(N);
        Evaluator.Report real = score(sample);
        Evaluator.Report noisy = score(Degrade.noise(sample, 0.4, new Rng(3)));
        Evaluator.Report missing = score(Degrade.withoutClass(sample, 8)); // bags: no other class covers them
        assertTrue(real.precision() > 0.6 && real.recall() > 0.6, real.toString());
        assertTrue(noisy.precision() < real.precision() - 0.2, "precision " + noisy.precision() + " vs " + real.precision());
        assertTrue(missing.recall() < real.recall() - 0.04, "recall " + missing.recall() + " vs " + real.recall());
        assertTrue(missing.precision() > real.precision() - 0.05, "what remains is still real: " + missing.precision());
    }

    @Test
    void kidOfTwoHalvesOfOneSetIsZeroWithinItsSpread() {
        FeatureSet a = net.embed(test.slice(0, 1000), 500);
        FeatureSet b = net.embed(test.slice(1000, 2000), 500);
        Kid.Result same = Kid.compute(a.pool(), b.pool(), 20, 500, new Rng(4), manager);
        Kid.Result noisy = Kid.compute(a.pool(), net.embed(Degrade.noise(test.slice(1000, 2000), 0.2, new Rng(5)), 500).pool(), 20, 500, new Rng(4), manager);
        assertTrue(Math.abs(same.mean()) < 3 * same.std() + 1e-3, "KID of halves " + same);
        assertTrue(noisy.mean() > 10 * Math.abs(same.mean()) && noisy.mean() > 3 * noisy.std(), "KID under noise " + noisy + " vs " + same);
    }

    @Test
    void conditionalAccuracyAndPerClassFdFollowTheLabels() {
        ImageDataset sample = test.take(N);
        Evaluator.Report right = score(sample);
        int[] shifted = new int[N];
        for (int i = 0; i < N; i++) {
            shifted[i] = (sample.labels()[i] + 1) % 10;
        }
        ImageDataset mislabelled = new ImageDataset("mislabelled", N, 1, 28, 28, sample.pixels(), shifted, null, sample.classNames());
        Evaluator.Report wrong = score(mislabelled);
        assertTrue(right.accuracy() > 0.9 && wrong.accuracy() < 0.1, right.accuracy() + " / " + wrong.accuracy());
        for (int c = 0; c < 10; c++) {
            assertTrue(wrong.perClassFd()[c] > 2 * right.perClassFd()[c], "class " + c + ": " + wrong.perClassFd()[c] + " vs " + right.perClassFd()[c]);
        }
    }
}
