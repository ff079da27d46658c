package org.dlc4j.hub;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference's parameter names as dlc4j's. Most are the same (dlc4j registers its weights under the reference's
 * names); the differences are SEDD's layer names, the ones DINOv2 chunks for FSDP, diffusers' older attention names,
 * the wrappers a checkpoint may add in front of every name, and the tensors dlc4j recomputes or never uses.
 */
public final class HubNames {
    private HubNames() {
    }

    /** What becomes of one tensor of a released checkpoint. */
    public sealed interface Fate {
    }

    /** Loaded into dlc4j's parameter {@code name}. */
    public record Mapped(String name) implements Fate {
    }

    /** Left out on purpose, for the reason given. */
    public record Dropped(String why) implements Fate {
    }

    /** Not a tensor this model has: the importer refuses it. */
    public record Unknown() implements Fate {
    }

    /**
     * Prefixes that wrap a whole state dict (DDP's {@code module.}, torch.compile's {@code _orig_mod.}, DINOv2's
     * {@code teacher.}/{@code backbone.}, the hub wrappers' {@code model.}/{@code dino_sem.}/{@code score_model.}):
     * removed while every name carries the same one.
     */
    static final List<String> WRAPPERS = List.of("module.", "_orig_mod.", "teacher.", "student.", "backbone.", "model.", "dino_sem.",
            "score_model.", "transformer.");

    /** The prefix every name shares among {@link #WRAPPERS}, repeatedly ("module.backbone." …); "" when none. */
    public static String commonWrapper(List<String> names) {
        StringBuilder prefix = new StringBuilder();
        boolean found = true;
        while (found && !names.isEmpty()) {
            found = false;
            for (String w : WRAPPERS) {
                String candidate = prefix + w;
                if (names.stream().allMatch(n -> n.startsWith(candidate))) {
                    prefix.append(w);
                    found = true;
                    break;
                }
            }
        }
        return prefix.toString();
    }

    private static final Pattern CHUNKED_BLOCK = Pattern.compile("^blocks\\.\\d+\\.(\\d+)\\.(.*)$");
    private static final Pattern SEDD_BLOCK = Pattern.compile("^blocks\\.(\\d+)\\.(attn_qkv|attn_out|mlp\\.0|mlp\\.2|adaLN_modulation)\\.(.*)$");
    private static final Pattern OLD_ATTENTION = Pattern.compile("^(.*\\.attentions\\.\\d+)\\.(query|key|value|proj_attn)\\.(weight|bias)$");

    /** The fate of {@code name} (wrapper already removed) in a checkpoint of {@code kind}, given the names dlc4j's model has. */
    public static Fate fate(ReleasedKind kind, String name, java.util.Set<String> dlc4jNames) {
        Optional<String> dropped = dropped(kind, name);
        if (dropped.isPresent()) {
            return new Dropped(dropped.get());
        }
        String mine = rename(kind, name);
        return dlc4jNames.contains(mine) || dlc4jNames.contains(mine + ".0") ? new Mapped(mine) : new Unknown();
    }

    /** The reference name as dlc4j registers it. */
    public static String rename(ReleasedKind kind, String name) {
        return switch (kind) {
            case ENCODER -> {
                // DINOv2 trained with block_chunks > 0 names block i "blocks.<chunk>.<i>."; the hub backbones use "blocks.<i>.".
                Matcher m = CHUNKED_BLOCK.matcher(name);
                yield m.matches() ? "blocks." + m.group(1) + "." + m.group(2) : name;
            }
            case PRIOR -> {
                if (name.equals("vocab_embed.embedding")) {
                    yield "vocab_embed.weight";
                }
                Matcher m = SEDD_BLOCK.matcher(name);
                if (!m.matches()) {
                    yield name;
                }
                String layer = switch (m.group(2)) {
                    case "attn_qkv" -> "attn.qkv";
                    case "attn_out" -> "attn.proj";
                    case "mlp.0" -> "mlp.fc1";
                    case "mlp.2" -> "mlp.fc2";
                    // dlc4j's block applies the SiLU itself (Sequential index 1); the reference applies it once to c.
                    default -> "adaLN_modulation.1";
                };
                yield "blocks." + m.group(1) + "." + layer + "." + m.group(3);
            }
            case VAE -> {
                // diffusers' names before 0.14 (still in older hub files, diffusers converts them on load).
                Matcher m = OLD_ATTENTION.matcher(name);
                if (!m.matches()) {
                    yield name;
                }
                String layer = switch (m.group(2)) {
                    case "query" -> "to_q";
                    case "key" -> "to_k";
                    case "value" -> "to_v";
                    default -> "to_out.0";
                };
                yield m.group(1) + "." + layer + "." + m.group(3);
            }
            case DIT -> name;
        };
    }

    private static Optional<String> dropped(ReleasedKind kind, String name) {
        return switch (kind) {
            case ENCODER -> name.startsWith("sem_cls_norm.") ? Optional.of("declared by DinoVisionTransformerWithSEM, never used")
                    : name.startsWith("dino_head.") || name.startsWith("ibot_head.") ? Optional.of("a self-supervised training head, not used to encode")
                    : Optional.empty();
            case DIT -> name.equals("pos_embed") ? Optional.of("the fixed 2-D sin-cos table, recomputed (and compared)") : Optional.empty();
            case PRIOR -> name.equals("rotary_emb.inv_freq") ? Optional.of("the rotary frequencies, recomputed") : Optional.empty();
            case VAE -> Optional.empty();
        };
    }
}
