package org.dlc4j.experiments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.dlc4j.io.Provenance;
import org.dlc4j.report.Html;

/** The toy study's HTML page: the KL table, Fig. 2d's plot, the scatter plots and heat maps. */
final class ToyReport {
    private ToyReport() {
    }

    static void write(Path out, ToyStudy.Config config, List<ToyStudy.Row> rows) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>dlc4j toy study</title><style>")
                .append("body{font-family:sans-serif;max-width:1200px;margin:2em auto}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}img{max-width:280px;margin:2px}")
                .append("</style></head><body>\n<h1>Toy study: diffusion on a grid of Gaussians (paper Sec. 3, Fig. 2)</h1>\n")
                .append("<p>KL(p_data ‖ p_θ) in nats, estimated with a Gaussian KDE (bandwidth: ").append(config.bandwidth())
                .append(") fitted to ").append(config.kdeSamples()).append(" model samples and averaged over ")
                .append(config.evalSamples()).append(" fresh data points. The <em>floor</em> is the same estimate with data samples in place of model samples: the estimator's own bias.</p>\n")
                .append("<table><tr><th>modes</th><th>variant</th><th>KL</th><th>KDE floor</th><th>KL − floor</th><th>steps</th><th>final loss</th></tr>\n");
        for (ToyStudy.Row r : rows) {
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%s</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td><td>%.4f</td></tr>%n",
                    r.modes(), r.variant(), r.kl(), r.floor(), r.kl() - r.floor(), r.steps(), r.finalLoss()));
        }
        h.append("</table>\n<h2>KL against the number of modes (Fig. 2d)</h2>\n<img style=\"max-width:640px\" src=\"kl-vs-modes.png\">\n")
                .append("<h2>Samples (Fig. 2a–c)</h2>\n");
        for (int n : config.modes()) {
            h.append("<h3>").append(n).append(" modes</h3><div>");
            List<String> panels = new java.util.ArrayList<>(List.of("data"));
            config.variants().forEach(v -> panels.add(v.id));
            for (String what : panels) {
                h.append("<img src=\"scatter-N").append(n).append('-').append(what).append(".png\" alt=\"").append(what).append("\">");
            }
            h.append("</div>\n");
        }
        h.append("<h2>Noise-prediction magnitude (Fig. 2e–f)</h2>\n<div><img style=\"max-width:480px\" src=\"heatmap-unconditional.png\">")
                .append("<img style=\"max-width:480px\" src=\"heatmap-oracle.png\"></div>\n")
                .append("<h2>Provenance</h2><p>commit ").append(Provenance.commit()).append(", command <code>")
                .append(Html.escape(Provenance.command())).append("</code></p><pre>").append(Html.escape(config.toJson())).append("</pre></body></html>\n");
        try {
            Files.writeString(out.resolve("index.html"), h);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
