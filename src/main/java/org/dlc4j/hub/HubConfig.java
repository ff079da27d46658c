package org.dlc4j.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.prior.Sedd;
import org.dlc4j.sem.SemEncoder;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.vae.AutoencoderKl;

/**
 * A released model's dlc4j configuration, from its {@code config.json} and the shapes of its weights. Sizes that the
 * shapes fix (width, depth, patch, channels, L and V where a table has them) are read from the shapes, and a
 * config.json value that disagrees is refused; what shapes cannot tell (heads, the code's L × V split of the SEM head,
 * the prior's noise) comes from config.json under the reference's names or common aliases.
 *
 * @param path   the config.json, for messages
 * @param json   its contents (nested objects such as SEDD's {@code model} are searched too)
 * @param shapes the shape of each weight, by its name with the wrapper removed
 */
public record HubConfig(String path, JsonObject json, Function<String, long[]> shapes, List<String> names) {
    public DiT.Config dit() {
        long[] patchW = shape("x_embedder.proj.weight"); // [D, C, p, p]
        long[] table = shape("sem_embedder.embedding_table"); // [L, V + 1, D]
        long[] last = shape("final_layer.linear.weight"); // [p²·out, D]
        int dim = check("hidden_size", (int) patchW[0]);
        int channels = check("in_channels", (int) patchW[1]);
        int patch = check("patch_size", (int) patchW[2]);
        int depth = check("depth", blocks());
        int length = check("L", (int) table[0]);
        int vocab = check("V", (int) table[1] - 1);
        int out = (int) last[0] / (patch * patch);
        boolean learnSigma = bool("learn_sigma", out == 2 * channels);
        if (out != (learnSigma ? 2 : 1) * channels) {
            throw bad("final_layer.linear.weight has " + last[0] + " rows, not " + patch + "²·" + (learnSigma ? 2 : 1) + "·" + channels);
        }
        int input = integer("input_size", -1);
        if (input < 0) {
            input = names.contains("pos_embed") ? patch * (int) Math.round(Math.sqrt(shape("pos_embed")[1])) : -1;
        }
        if (input < 0) {
            throw bad("no input_size and no pos_embed to read it from");
        }
        int heads = integer("num_heads", 16);
        double mlp = number("mlp_ratio", 4.0);
        return new DiT.Config("DiTSEM", input, channels, patch, dim, depth, heads, mlp, learnSigma, Conditioning.DLC, 0, length, vocab, 0,
                number("class_dropout_prob", 0.1), false);
    }

    public Sedd.Config prior() {
        long[] vocab = shape("vocab_embed.embedding"); // [V + 1, D]
        long[] pos = shape("pos_embed"); // [L, D]
        String graph = string("type", "absorb", "graph");
        String noise = string("type", "loglinear", "noise");
        if (!graph.equals("absorb") || !noise.equals("loglinear")) {
            throw bad("a SEDD prior with graph '" + graph + "' and noise '" + noise + "': dlc4j runs the released one's, absorb and loglinear");
        }
        if (!bool("scale_by_sigma", true)) {
            throw bad("scale_by_sigma false: dlc4j's SEDD scales by σ as the released prior does");
        }
        int width = check("hidden_size", (int) vocab[1]);
        int length = check("length", (int) pos[0]);
        int tokens = check("tokens", (int) vocab[0] - 1);
        int depth = check("n_blocks", blocks());
        int cond = check("cond_dim", (int) shape("sigma_map.mlp.0.weight")[0]);
        return new Sedd.Config("SEDD", length, tokens, width, depth, integer("n_heads", 16), cond, 4.0, number("dropout", 0.1));
    }

    public SemEncoder.Config encoder() {
        long[] patchW = shape("patch_embed.proj.weight"); // [D, C, p, p]
        long[] pos = shape("pos_embed"); // [1, 1 + g², D]
        long[] sem = shape("sem_embed.weight"); // [L·V, D·(1 + R)]
        int dim = check("embed_dim", (int) patchW[0]);
        int patch = check("patch_size", (int) patchW[2]);
        int registers = check("num_register_tokens", names.contains("register_tokens") ? (int) shape("register_tokens")[1] : 0);
        int grid = (int) Math.round(Math.sqrt(pos[1] - 1));
        int image = check("img_size", grid * patch);
        if (sem[1] != (long) dim * (1 + registers)) {
            throw bad("sem_embed.weight reads " + sem[1] + " inputs, not the " + dim + "·(1 + " + registers + ") of [CLS] and the registers");
        }
        int length = integer("L", -1);
        int vocab = integer("V", -1);
        if (length < 0 && vocab < 0) {
            throw bad("neither L nor V: the SEM head's " + sem[0] + " outputs could be any L × V; add \"L\" and \"V\" to config.json");
        }
        length = length < 0 ? (int) (sem[0] / vocab) : length;
        vocab = vocab < 0 ? (int) (sem[0] / length) : vocab;
        if ((long) length * vocab != sem[0]) {
            throw bad("L " + length + " × V " + vocab + " is not the SEM head's " + sem[0] + " outputs");
        }
        int heads = integer("num_heads", dim / 64); // every DINOv2 size has 64-wide heads
        return new SemEncoder.Config(image, (int) patchW[1], patch, 0, dim, check("depth", blocks()), heads,
                number("mlp_ratio", 4.0), registers, 1e-5, length, vocab, number("temp", 1.0));
    }

    public AutoencoderKl.Config vae() {
        long[] in = shape("encoder.conv_in.weight"); // [w0, C, 3, 3]
        long[] out = shape("decoder.conv_out.weight"); // [C, w0, 3, 3]
        long[] latent = shape("post_quant_conv.weight"); // [c, c, 1, 1]
        List<Integer> widths = new ArrayList<>();
        for (int i = 0; names.contains("encoder.down_blocks." + i + ".resnets.0.conv1.weight"); i++) {
            widths.add((int) shape("encoder.down_blocks." + i + ".resnets.0.conv1.weight")[0]);
        }
        int layers = 0;
        while (names.contains("encoder.down_blocks.0.resnets." + layers + ".conv1.weight")) {
            layers++;
        }
        for (String key : List.of("down_block_types", "up_block_types")) {
            JsonElement types = find(key);
            String want = key.startsWith("down") ? "DownEncoderBlock2D" : "UpDecoderBlock2D";
            if (types != null && types.isJsonArray()) {
                types.getAsJsonArray().forEach(t -> {
                    if (!t.getAsString().equals(want)) {
                        throw bad("\"" + key + "\" holds " + t.getAsString() + ": dlc4j's VAE is the SD VAE, built of " + want + " only");
                    }
                });
            }
        }
        if (!string("act_fn", "silu").equals("silu") || !bool("mid_block_add_attention", true) || !bool("use_quant_conv", true)
                || !bool("use_post_quant_conv", true)) {
            throw bad("a VAE other than the SD VAE (act_fn silu, mid-block attention, quant convs): dlc4j builds that one only");
        }
        JsonElement shift = find("shift_factor");
        if (shift != null && !shift.isJsonNull() && shift.getAsDouble() != 0) {
            throw bad("\"shift_factor\" " + shift + ": latents shifted before scaling belong to later VAEs (SD3, Flux), not the SD VAE");
        }
        check("block_out_channels", widths.size() > 0 ? widths.size() : -1, listSize("block_out_channels"));
        return new AutoencoderKl.Config("hub", check("in_channels", (int) in[1]), check("out_channels", (int) out[0]), widths,
                check("layers_per_block", layers), check("latent_channels", (int) latent[0]), integer("norm_num_groups", 32), 1e-6,
                number("scaling_factor", 0.18215));
    }

    private int listSize(String key) {
        JsonElement e = find(key);
        return e != null && e.isJsonArray() ? e.getAsJsonArray().size() : -1;
    }

    private void check(String key, int fromShapes, int given) {
        if (given >= 0 && given != fromShapes) {
            throw bad("\"" + key + "\" lists " + given + " entries but the weights have " + fromShapes);
        }
    }

    private long[] shape(String name) {
        long[] s = shapes.apply(name);
        if (s == null) {
            throw new InvalidInputException(path + "'s weights have no tensor '" + name + "': not a released model of this kind");
        }
        return s;
    }

    private static final Pattern BLOCK_INDEX = Pattern.compile("^blocks\\.(\\d+)\\.(?:(\\d+)\\.)?");

    /** Blocks counted from the names "blocks.<i>." (DINOv2's chunked "blocks.<c>.<i>." counts its inner index). */
    private int blocks() {
        return (int) names.stream().map(BLOCK_INDEX::matcher).filter(Matcher::find)
                .map(m -> m.group(2) != null ? m.group(2) : m.group(1)).distinct().count();
    }

    private int check(String key, int fromShapes) {
        int given = integer(key, fromShapes);
        if (given != fromShapes) {
            throw bad("\"" + key + "\": " + given + " but the weights' shapes say " + fromShapes);
        }
        return fromShapes;
    }

    private JsonElement find(String key, String... within) {
        JsonObject o = json;
        for (String w : within) {
            if (o.has(w) && o.get(w).isJsonObject()) {
                o = o.getAsJsonObject(w);
            } else {
                return null;
            }
        }
        if (o.has(key)) {
            return o.get(key);
        }
        // SEDD's hub config nests the sizes under "model".
        return within.length == 0 && json.has("model") && json.get("model").isJsonObject() ? json.getAsJsonObject("model").get(key) : null;
    }

    private int integer(String key, int otherwise) {
        JsonElement e = find(key);
        try {
            return e == null || e.isJsonNull() ? otherwise : e.getAsInt();
        } catch (RuntimeException notANumber) {
            throw bad("\"" + key + "\" is not an integer");
        }
    }

    private double number(String key, double otherwise) {
        JsonElement e = find(key);
        try {
            return e == null || e.isJsonNull() ? otherwise : e.getAsDouble();
        } catch (RuntimeException notANumber) {
            throw bad("\"" + key + "\" is not a number");
        }
    }

    private boolean bool(String key, boolean otherwise) {
        JsonElement e = find(key);
        return e == null || e.isJsonNull() ? otherwise : e.getAsBoolean();
    }

    private String string(String key, String otherwise, String... within) {
        JsonElement e = find(key, within);
        return e == null || e.isJsonNull() ? otherwise : e.getAsString().toLowerCase(Locale.ROOT);
    }

    private InvalidInputException bad(String what) {
        return new InvalidInputException(path + ": " + what);
    }
}
