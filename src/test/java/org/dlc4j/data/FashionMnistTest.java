package org.dlc4j.data;

import static org.dlc4j.data.IdxTest.gzip;
import static org.dlc4j.data.IdxTest.imagesFile;
import static org.dlc4j.data.IdxTest.labelsFile;
import static org.dlc4j.data.UserErrors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.dlc4j.data.FashionMnist.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    private static void assumeInstalled() {
        assumeTrue(Files.exists(FashionMnist.DEFAULT_DIR.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST not installed");
    }

    @Test
    void loadsTheFirstTrainingImages() {
        assumeInstalled();
        ImageDataset train = FashionMnist.load(FashionMnist.DEFAULT_DIR, Split.TRAIN, 100);
        assertEquals(100, train.count());
        assertEquals(1, train.channels());
        assertEquals(28, train.height());
        assertEquals(28, train.width());
        assertEquals(10, train.numClasses());
        assertEquals("Ankle boot", train.classNames().get(9));
        assertTrue(Arrays.stream(train.labels()).allMatch(l -> l >= 0 && l < 10));
        assertEquals(9, train.labels()[0]); // the first training image is an ankle boot
    }

    @Test
    void testSplitHasTheKnownMeanPixel() {
        assumeInstalled();
        ImageDataset test = FashionMnist.load(FashionMnist.DEFAULT_DIR, Split.TEST);
        assertEquals(10_000, test.count());
        long sum = 0;
        for (byte b : test.pixels()) {
            sum += b & 0xFF;
        }
        assertEquals(0.286, sum / 255.0 / test.pixels().length, 0.01);
    }

    @Test
    void missingDataNamesTheFileAndTheFix() {
        Path nowhere = dir.resolve("nowhere");
        assertUserError(() -> FashionMnist.load(nowhere, Split.TRAIN),
                nowhere.resolve("train-images-idx3-ubyte.gz").toString(), "apt-get install -y dataset-fashion-mnist");
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.dlc4j.util.InvalidInputException.class, () -> FashionMnist.load(nowhere, Split.TRAIN));
        org.junit.jupiter.api.Assertions.assertEquals("data", e.parameter(), "the front end names its own flag for the folder");
    }

    @Test
    void loadsUncompressedCopiesAndRejectsMismatchedCounts() throws IOException {
        byte[] pixels = new byte[3 * 4];
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), imagesFile(3, 2, 2, pixels));
        Path labels = gzip(dir.resolve("t10k-labels-idx1-ubyte.gz"), labelsFile(1, 2, 3));
        assertEquals(3, FashionMnist.load(dir, Split.TEST).count());

        gzip(labels, labelsFile(1, 2));
        assertUserError(() -> FashionMnist.load(dir, Split.TEST), labels.toString(), "has 2 labels", "has 3 images");
    }

    @Test
    void rejectsLabelsOutsideTheTenClasses() throws IOException {
        gzip(dir.resolve("train-images-idx3-ubyte.gz"), imagesFile(2, 1, 1, new byte[2]));
        gzip(dir.resolve("train-labels-idx1-ubyte.gz"), labelsFile(3, 12));
        assertUserError(() -> FashionMnist.load(dir, Split.TRAIN), "label 12 at index 1");
    }
}
