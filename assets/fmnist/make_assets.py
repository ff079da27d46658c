"""Regenerates the demo's Fashion-MNIST assets from Debian's dataset-fashion-mnist (run from the repo root).

gallery.npz: test images 0-999 (uint8 NHWC `images`, int64 `labels`), the neighbours the demo searches.
queries/: the first test image of each class from index 1000 on (outside the gallery), as PNGs with metadata.tsv.
"""
import gzip, struct, zlib
import numpy as np

SRC = "/usr/share/datasets/fashion-mnist/"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

def idx(name):
    with gzip.open(SRC + name) as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)

def png(path, img):
    h, w = img.shape
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

images, labels = idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")
np.savez_compressed("assets/fmnist/gallery.npz", images=images[:1000, :, :, None], labels=labels[:1000].astype(np.int64))
rows = ["file\tlabel"]
for k in range(10):
    i = next(i for i in range(1000, len(labels)) if labels[i] == k)
    name = "test%05d.png" % i
    png("assets/fmnist/queries/" + name, images[i])
    rows.append("%s\t%d" % (name, k))
open("assets/fmnist/queries/metadata.tsv", "w").write("\n".join(rows) + "\n")
open("assets/fmnist/queries/classes.txt", "w").write("\n".join(CLASSES) + "\n")
