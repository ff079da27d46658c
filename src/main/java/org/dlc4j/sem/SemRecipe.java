package org.dlc4j.sem;

import java.util.Arrays;
import java.util.Locale;
import org.dlc4j.util.InvalidInputException;

/**
 * How to train an encoder, as a person says it: a preset, the code shape, the backbone and the objective, and any
 * departures from the preset (null: the preset's value). {@link #config} turns it into the full training config and
 * refuses combinations that make no sense, naming the input at fault by the name it has here (kebab-case, as on
 * the command line: a front end maps it to its own spelling).
 *
 * @param preset      "fmnist" (the shipped recipe's sizes) or "tiny" (tests)
 * @param shape       L×V of the code, e.g. "32x64"
 * @param backbone    "resnet" (a small residual CNN at 28 px) or "vit" (the paper's: a ViT with registers)
 * @param objective   "vicreg" or "byol" (two views), or "dino" (the paper's, with multi-crop)
 * @param globalScale area range of the global crops, "LOW,HIGH"
 * @param localScale  area range of the local crops, "LOW,HIGH"
 */
public record SemRecipe(String preset, String shape, String backbone, String objective, int[] widths, Integer blocks, Integer batch,
                        Double teacherMomentum, Integer locals, Double codeDiversity, Double epochs, Double lr, Double koleo, Double ibot,
                        String globalScale, String localScale, Double maxBlur, Integer prototypes, Integer stem) {
    /** The shipped encoder's recipe: ResNet + VICReg + code diversity, 32×64, the fmnist preset. */
    public static SemRecipe shipped() {
        return new SemRecipe("fmnist", "32x64", "resnet", "vicreg", null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /** The full training config, seeded. */
    public SemTraining.Config config(long seed) {
        int[] lv = parseShape(shape);
        SemTraining.Objective obj = switch (objective.toLowerCase(Locale.ROOT)) {
            case "dino" -> SemTraining.Objective.DINO;
            case "byol" -> SemTraining.Objective.BYOL;
            case "vicreg" -> SemTraining.Objective.VICREG;
            default -> throw InvalidInputException.of("objective", "objective '" + objective + "' is not dino, byol or vicreg");
        };
        SemEncoder.Config encoder = encoder(lv);
        SemTraining.Config c = switch (preset) {
            case "fmnist" -> obj == SemTraining.Objective.DINO ? SemTraining.Config.fmnist(encoder, seed) : SemTraining.Config.twoView(encoder, obj, seed);
            case "tiny" -> obj == SemTraining.Objective.DINO ? SemTraining.Config.tiny(seed).with(b -> {
                b.encoder = encoder;
                b.ibot = encoder.resnet() ? 0 : b.ibot;
            }) : SemTraining.Config.tinyTwoView(obj, seed).with(b -> b.encoder = encoder);
            default -> throw InvalidInputException.of("preset", "preset '" + preset + "' is not fmnist or tiny");
        };
        if (encoder.resnet() && ibot != null && ibot > 0) {
            throw InvalidInputException.of("ibot", "ibot needs patches: the ResNet backbone has none (use the vit backbone, or ibot 0)");
        }
        if (locals != null) {
            if (obj != SemTraining.Objective.DINO && locals > 0) {
                throw InvalidInputException.of("locals", "locals is for DINO's multi-crop: " + objective + " takes two views");
            }
            if (locals < 0) {
                throw InvalidInputException.of("locals", "locals must be ≥ 0, not " + locals);
            }
            c = c.withCrops(c.crops().withLocals(locals));
        }
        if (batch != null) {
            if (batch < 2) {
                throw InvalidInputException.of("batch", "batch must be at least 2 (the objectives compare images within a batch), not " + batch);
            }
            c = c.withBatch(batch);
        }
        if (teacherMomentum != null) {
            if (!(teacherMomentum >= 0 && teacherMomentum <= 1)) {
                throw InvalidInputException.of("teacher-momentum", "teacher-momentum must be in [0, 1], not " + teacherMomentum);
            }
            c = c.withTeacherMomentum(teacherMomentum);
        }
        if (codeDiversity != null) {
            if (!(codeDiversity >= 0)) {
                throw InvalidInputException.of("code-diversity", "code-diversity must be ≥ 0, not " + codeDiversity);
            }
            double w = codeDiversity;
            c = c.with(b -> b.codeDiversity = w);
        }
        if (epochs != null) {
            if (!(epochs > 0)) {
                throw InvalidInputException.of("epochs", "epochs must be > 0, not " + epochs);
            }
            c = c.withEpochs(epochs);
        }
        if (lr != null) {
            c = c.withLr(lr);
        }
        c = c.withLosses(koleo != null ? koleo : c.koleo(), ibot != null ? ibot : c.ibot());
        MultiCrop crops = c.crops().withScales(globalScale != null ? range(globalScale, "global-scale") : c.crops().globalScale(),
                localScale != null ? range(localScale, "local-scale") : c.crops().localScale());
        if (maxBlur != null) {
            if (!(maxBlur >= 0)) {
                throw InvalidInputException.of("max-blur", "max-blur must be ≥ 0, not " + maxBlur);
            }
            crops = crops.withMaxBlur(maxBlur);
        }
        c = c.withCrops(crops);
        if (prototypes != null) {
            if (prototypes < 2) {
                throw InvalidInputException.of("prototypes", "prototypes must be at least 2, not " + prototypes);
            }
            c = c.withHead(new DinoHead.Config(c.head().hidden(), c.head().bottleneck(), prototypes));
        }
        return c;
    }

    private SemEncoder.Config encoder(int[] lv) {
        boolean tiny = preset.equals("tiny");
        return switch (backbone.toLowerCase(Locale.ROOT)) {
            case "vit" -> {
                if (widths != null || blocks != null) {
                    throw InvalidInputException.of("widths", "widths and blocks shape the ResNet: choose the resnet backbone, or drop them");
                }
                SemEncoder.Config e = tiny ? SemEncoder.Config.tiny() : SemEncoder.Config.fmnist(lv[0], lv[1]);
                yield stem == null ? e : e.withStem(stem);
            }
            case "resnet" -> {
                if (stem != null) {
                    throw InvalidInputException.of("stem", "stem shapes the ViT's patch embedding: drop it with the resnet backbone");
                }
                SemEncoder.Config e = tiny ? SemEncoder.Config.tinyResNet() : SemEncoder.Config.fmnistResNet(lv[0], lv[1]);
                int[] w = widths != null ? widths : e.widths();
                int d = blocks != null ? blocks : e.depth();
                if (w.length == 0 || Arrays.stream(w).anyMatch(x -> x < 1) || d < 1) {
                    throw InvalidInputException.of("widths", "widths takes positive channel counts (e.g. 32,64,128) and blocks a count ≥ 1");
                }
                yield SemEncoder.Config.resnet(e.image(), e.channels(), w, d, e.length(), e.vocab());
            }
            default -> throw InvalidInputException.of("backbone", "backbone '" + backbone + "' is not vit or resnet");
        };
    }

    /** "32x64" → {32, 64}. */
    static int[] parseShape(String shape) {
        String[] parts = shape.toLowerCase(Locale.ROOT).split("[x×]");
        try {
            if (parts.length == 2) {
                int l = Integer.parseInt(parts[0].strip());
                int v = Integer.parseInt(parts[1].strip());
                if (l >= 1 && v >= 2) {
                    return new int[] {l, v};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw InvalidInputException.of("shape", "shape '" + shape + "' is not LxV with L >= 1 and V >= 2, e.g. 32x64");
    }

    /** "0.35,1" → {0.35, 1}, a sub-range of (0, 1]. */
    static double[] range(String s, String parameter) {
        String[] parts = s.split(",");
        try {
            double lo = Double.parseDouble(parts[0].trim());
            double hi = Double.parseDouble(parts[parts.length - 1].trim());
            if (parts.length == 2 && lo > 0 && lo <= hi && hi <= 1) {
                return new double[] {lo, hi};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw InvalidInputException.of(parameter, parameter + " '" + s + "' is not LOW,HIGH with 0 < LOW ≤ HIGH ≤ 1");
    }
}
