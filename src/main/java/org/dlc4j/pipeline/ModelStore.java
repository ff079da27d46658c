package org.dlc4j.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.Hashes;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.io.Json;
import org.dlc4j.util.DlcIoException;
import org.dlc4j.util.Home;

/**
 * Where a set of trained models lives: a folder laid out like the shipped {@code models/} ({@code sem/},
 * {@code dit/}, {@code prior/}, {@code text/}), one file per model under its Fashion-MNIST name, or a folder
 * {@code dlc chain} trained ({@code chain.json} beside the same sub-folders, the files named without the prefix:
 * {@code dit/dlc.safetensors}, {@code prior/sedd.safetensors}, {@code text/t2d.safetensors}, {@code sem/encoder.safetensors}).
 *
 * @param prefix what every model's file name starts with: "fmnist-" for the shipped layout, "" for a chain's
 */
public record ModelStore(Path dir, String prefix) {
    /** The file a chain folder is recognised by. */
    public static final String CHAIN_MARKER = "chain.json";

    /**
     * The file a folder of imported released models is recognised by ({@code dlc import hf} writes it): laid out as a
     * chain's (sem/encoder, dit/dlc, prior/sedd, and vae/vae that the DiT's latents are decoded with), pictures read as the
     * authors' encoder reads them (centre crops).
     */
    public static final String RELEASED_MARKER = "released.json";

    /** What a chain's marker names as its data when it trained on Fashion-MNIST (a picture folder is named by its path). */
    public static final String FASHION_MNIST_DATA = "fashion-mnist";

    /** The shipped layout in {@code dir}. */
    public ModelStore(Path dir) {
        this(dir, "fmnist-");
    }

    /** The models in {@code dir}: a chain's folder if it holds {@value #CHAIN_MARKER}, else the shipped layout. */
    public static ModelStore open(Path dir) {
        return Files.exists(dir.resolve(CHAIN_MARKER)) || Files.exists(dir.resolve(RELEASED_MARKER)) ? new ModelStore(dir, "") : new ModelStore(dir);
    }

    /** The 32×64 code shape of the shipped encoder and of every shipped model that reads codes. */
    public static final String SHAPE = "32x64";

    /** The models shipped with dlc4j ({@code models/} of the checkout, see {@link Home}). */
    public static ModelStore shipped() {
        return new ModelStore(Home.models());
    }

    /**
     * Whether these models read Fashion-MNIST (the shipped ones, or a chain trained on it) rather than a folder of one's
     * own pictures: the former see any picture through {@code ModelView} (28 px grey, light on dark).
     */
    public boolean fashionMnist() {
        if (!chain()) {
            return true;
        }
        if (released()) {
            return false;
        }
        String marker = readMarker();
        return !marker.contains("\"data\"") || marker.contains("\"data\":\"" + FASHION_MNIST_DATA + "\"");
    }

    /**
     * How a chain's marker names a picture folder and how it was read: "PATH 32px 3ch crop", with " bg #RRGGBB" when
     * transparent pixels were composited over another colour than white (chains made before the background was
     * recorded used white, and read back the same).
     */
    public static String describePictures(Path data, ImageFolder.Options o) {
        return String.format(Locale.ROOT, "%s %dpx %dch %s%s", data.toAbsolutePath().normalize(), o.size(), o.channels(),
                o.fit().name().toLowerCase(Locale.ROOT), o.background() == WHITE ? "" : String.format(Locale.ROOT, " bg #%06x", o.background()));
    }

    /**
     * How the chain in this folder read its pictures (fit and background from its marker), at {@code size} px and
     * {@code channels}: a picture given later is read the same way. Fashion-MNIST's models and marker-less folders:
     * centre crop over white.
     */
    public ImageFolder.Options pictures(int size, int channels) {
        ImageFolder.Options o = ImageFolder.Options.colour(size).withChannels(channels);
        if (!chain() || fashionMnist() || released()) {
            return o;
        }
        String data = Json.read(readMarker(), Marker.class).data();
        String[] words = data == null ? new String[0] : data.split(" ");
        int n = words.length;
        if (n >= 2 && words[n - 2].equals("bg")) {
            o = o.withBackground(ImageFolder.Options.parseBackground(words[n - 1]));
            n -= 2;
        }
        return n >= 1 && words[n - 1].equals("pad") ? o.withFit(ImageFolder.Fit.PAD) : o;
    }

    private static final int WHITE = 0xFFFFFF;

    /** The part of a chain's marker a reader needs. */
    private record Marker(String data) {
    }

    private String readMarker() {
        try {
            return Files.readString(dir.resolve(CHAIN_MARKER));
        } catch (IOException e) {
            throw new DlcIoException("cannot read " + dir.resolve(CHAIN_MARKER) + ": " + e.getMessage(), e);
        }
    }

    /** Whether this folder holds imported released models ({@value #RELEASED_MARKER}). */
    public boolean released() {
        return Files.exists(dir.resolve(RELEASED_MARKER));
    }

    /** Whether this is a folder {@code dlc chain} trained, or of imported models (its files named without a prefix). */
    public boolean chain() {
        return prefix.isEmpty();
    }

    /** The DiT conditioned on {@code kind}. */
    public Path dit(Conditioning kind) {
        return dir.resolve("dit").resolve(prefix + kind.name().toLowerCase(Locale.ROOT) + ".safetensors");
    }

    /** The SEDD prior over codes. */
    public Path prior() {
        return dir.resolve("prior").resolve(prefix + "sedd.safetensors");
    }

    /** The text-to-DLC model. */
    public Path text() {
        return dir.resolve("text").resolve(prefix + "t2d.safetensors");
    }

    /** The SEM encoder of codes of shape {@code shape} ("32x64"); a chain's folder holds one encoder, whatever its shape. */
    public Path encoder(String shape) {
        return chain() ? encoder() : dir.resolve("sem").resolve(prefix + "sem-" + shape + ".safetensors");
    }

    /** The default encoder: the one whose codes new models learn from. */
    public Path encoder() {
        return chain() ? dir.resolve("sem").resolve("encoder.safetensors") : encoder(SHAPE);
    }

    /**
     * A trained DiT of this conditioning: this store's, else the one training left under {@code out/dit/} (the store
     * holds only what the demo needs; the class and SEM baselines live in out/).
     */
    public Path trainedDit(Conditioning kind) {
        Path stored = dit(kind);
        Path local = Path.of("out", "dit", stored.getFileName().toString());
        return Files.exists(stored) || !Files.exists(local) ? stored : local;
    }

    /**
     * The encoder whose codes a model was trained on: the file under {@code sem/} whose SHA-256 is {@code sha} (a store
     * may hold a newer default encoder beside the one an older model reads), else the default one, which the model's
     * own check then refuses if it does not match.
     */
    public Path encoderFor(String sha) {
        return findEncoder(sha).orElse(encoder());
    }

    private Optional<Path> findEncoder(String sha) {
        Path sem = dir.resolve("sem");
        if (sha == null || sha.isEmpty() || !Files.isDirectory(sem)) {
            return Optional.empty();
        }
        try (var files = Files.list(sem)) {
            return files.filter(f -> f.toString().endsWith(".safetensors")).sorted().filter(f -> sha.equals(Hashes.sha256(f))).findFirst();
        } catch (IOException e) {
            throw new DlcIoException("cannot list " + sem + ": " + e.getMessage(), e);
        }
    }

    /** The SHA-256 of the encoder whose codes the DiT at {@code path} reads; "" when there is no such file or hash. */
    public static String encoderShaOf(Path path) {
        return Files.exists(path) ? Checkpoint.load(path).meta().extra().getOrDefault(TrainedDit.ENCODER_SHA, "") : "";
    }
}
