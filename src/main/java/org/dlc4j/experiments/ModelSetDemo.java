package org.dlc4j.experiments;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.dlc4j.Code;
import org.dlc4j.Dlc;
import org.dlc4j.Gallery;
import org.dlc4j.GeneratedImage;
import org.dlc4j.Sampling;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.PngFolderDataset;
import org.dlc4j.io.Provenance;
import org.dlc4j.report.Html;

/**
 * The demo of a model set {@code dlc chain} trained on one's own pictures, written only through the {@link Dlc} facade:
 * new images (prior, then DiT), each gallery picture's code decoded again, compositions of two gallery codes from
 * different classes, and images from the held-out pictures' own captions.
 */
public final class ModelSetDemo {
    private static final int GENERATED = 16;
    private static final int PER_CODE = 4;
    private static final int PAIRS = 4;
    private static final int PROMPTS = 4;

    private final Path models;
    private final Path out;
    private final Sampling sampling;

    public ModelSetDemo(Path models, Path out, Sampling sampling) {
        this.models = models;
        this.out = out;
        this.sampling = sampling;
    }

    /** Writes the pictures and index.html; returns the page. */
    public Path run() {
        StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>dlc4j demo: ")
                .append(Html.escape(models.getFileName().toString())).append("</title><style>body{font-family:sans-serif;max-width:1200px;")
                .append("margin:2em auto}img{image-rendering:pixelated;width:64px;height:64px;margin:2px}td{padding:4px 8px}</style></head><body>\n")
                .append("<h1>dlc4j demo: the models in <code>").append(Html.escape(models.toString())).append("</code></h1>\n");
        try (Dlc dlc = Dlc.open(models)) {
            Gallery gallery = dlc.gallery();
            html.append("<h2>New images: a code from the prior, then the DiT</h2>\n<p>");
            for (GeneratedImage g : dlc.generate(GENERATED, sampling)) {
                html.append(img(g.image(), "generated"));
            }
            html.append("</p>\n<h2>Encode, then decode: held-out pictures and images drawn from their codes</h2>\n<table>\n");
            for (int i = 0; i < gallery.size(); i += Math.max(1, gallery.size() / 8)) {
                html.append("<tr><td>").append(img(gallery.images().get(i), "gallery")).append("</td><td>").append(Html.escape(gallery.className(i)))
                        .append("</td><td>");
                for (GeneratedImage g : dlc.decode(gallery.codes().get(i), PER_CODE, sampling.withSeed(sampling.seed() + i))) {
                    html.append(img(g.image(), "decoded"));
                }
                html.append("</td></tr>\n");
            }
            html.append("</table>\n<h2>Composition: every position of the code taken from one of two pictures</h2>\n<table>\n");
            for (int[] pair : pairs(gallery)) {
                List<Code> codes = List.of(gallery.codes().get(pair[0]), gallery.codes().get(pair[1]));
                html.append("<tr><td>").append(img(gallery.images().get(pair[0]), "a")).append(" + ").append(img(gallery.images().get(pair[1]), "b"))
                        .append("</td><td>");
                for (GeneratedImage g : dlc.compose(codes, null, PER_CODE, sampling.withSeed(sampling.seed() + pair[0]))) {
                    html.append(img(g.image(), "composed"));
                }
                html.append("</td></tr>\n");
            }
            html.append("</table>\n");
            // A chain on pictures with neither captions nor classes has no text model.
            if (Files.exists(org.dlc4j.pipeline.ModelStore.open(models).text())) {
                html.append("<h2>From a prompt: held-out pictures' captions, then the text-to-DLC model, then the DiT</h2>\n<table>\n");
                for (String prompt : prompts()) {
                    html.append("<tr><td>").append(Html.escape(prompt)).append("</td><td>");
                    for (GeneratedImage g : dlc.fromPrompt(prompt, PER_CODE, sampling)) {
                        html.append(img(g.image(), "prompted"));
                    }
                    html.append("</td></tr>\n");
                }
                html.append("</table>\n");
            }
        }
        html.append(String.format(Locale.ROOT, "<h2>Provenance</h2><p>DDIM %d steps, guidance %.1f, prior %d steps, seed %d; commit %s, command <code>%s</code></p>"
                + "</body></html>%n", sampling.steps(), sampling.guidance(), sampling.priorSteps(), sampling.seed(), Provenance.commit(),
                Html.escape(Provenance.command())));
        Path page = out.resolve("index.html");
        try {
            Files.createDirectories(out);
            Files.writeString(page, html);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return page;
    }

    /** Pairs of gallery pictures of different classes (the first of each class with the first of the next). */
    private static List<int[]> pairs(Gallery gallery) {
        List<Integer> firsts = new ArrayList<>();
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < gallery.size(); i++) {
            if (!seen.contains(gallery.labels()[i])) {
                seen.add(gallery.labels()[i]);
                firsts.add(i);
            }
        }
        List<int[]> out = new ArrayList<>();
        for (int k = 0; k + 1 < firsts.size() && out.size() < PAIRS; k += 2) {
            out.add(new int[] {firsts.get(k), firsts.get(k + 1)});
        }
        if (out.isEmpty() && gallery.size() >= 2) {
            out.add(new int[] {0, gallery.size() - 1});
        }
        return out;
    }

    /** The captions the chain's gallery kept (held out from the text model), one per class first. */
    private List<String> prompts() {
        ImageDataset g = PngFolderDataset.load(models.resolve(Dlc.GALLERY), 1);
        List<String> out = new ArrayList<>();
        if (g.captions() != null) {
            for (int i = 0; i < g.count() && out.size() < PROMPTS; i += Math.max(1, g.count() / PROMPTS)) {
                if (!g.captions().get(i).isBlank()) {
                    out.add(g.captions().get(i));
                }
            }
        }
        return out;
    }

    private int images;

    /** Writes the picture as the next PNG and returns its img tag. */
    private String img(BufferedImage image, String kind) {
        String name = String.format(Locale.ROOT, "%s-%03d.png", kind, images++);
        try {
            Files.createDirectories(out);
            ImageIO.write(image, "png", out.resolve(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "<img src=\"" + name + "\" alt=\"" + kind + "\">";
    }
}
