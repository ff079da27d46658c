package org.dlc4j.text;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.nio.file.Path;
import java.util.List;
import org.dlc4j.diffusion.discrete.Unmasking;
import org.dlc4j.nn.ModelFile;
import org.dlc4j.nn.Params;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/**
 * A trained text-to-DLC model read from its file, with the SHA-256 of the SEM encoder whose codes it writes and of the
 * text encoder it reads (empty when not recorded), and its held-out bits per token (NaN when not measured).
 */
public record TrainedText(TextToDlc model, Params params, String encoderSha, String textEncoderSha, String sha256, double heldoutBits)
        implements AutoCloseable {
    public static final String ENCODER_SHA = "encoder_sha256";
    public static final String TEXT_ENCODER_SHA = "text_encoder_sha256";
    public static final String HELDOUT_BITS = "heldout_bits_per_token";

    public static TrainedText load(NDManager manager, Path path) {
        var file = ModelFile.load(manager, path, TextTraining.KIND, TextToDlc.Config.class, "text-to-DLC model",
                (params, config) -> new TextToDlc(params, config, new Rng(0)));
        var extra = file.extra();
        return new TrainedText(file.model(), file.params(), extra.getOrDefault(ENCODER_SHA, ""), extra.getOrDefault(TEXT_ENCODER_SHA, ""), file.sha256(),
                Double.parseDouble(extra.getOrDefault(HELDOUT_BITS, "NaN")));
    }

    /** Refuses a text encoder other than the one the model was trained to read. */
    public void check(TextEncoder encoder) {
        if (!textEncoderSha.isEmpty() && !textEncoderSha.equals(encoder.sha256())) {
            throw new InvalidInputException("this text-to-DLC model was trained on text encoder " + textEncoderSha.substring(0, 12)
                    + "… but the loaded one is " + encoder.sha256().substring(0, 12) + "…: use the dlc4j build it was trained with");
        }
    }

    /** One code per prompt (n·L tokens in 0..V−1), prompts encoded and codes drawn {@code batch} at a time. */
    public int[] sample(TextEncoder encoder, List<String> prompts, Unmasking.Config c, int batch, Rng rng) {
        check(encoder);
        TextToDlc.Config mc = model.config();
        int l = mc.length();
        int n = prompts.size();
        int[] out = new int[n * l];
        List<String> distinct = prompts.stream().distinct().toList();
        CaptionBank bank = CaptionBank.encode(encoder, distinct);
        NDManager m = params.manager();
        for (int start = 0; start < n; start += batch) {
            int count = Math.min(batch, n - start);
            int[] ids = new int[count];
            for (int i = 0; i < count; i++) {
                ids[i] = distinct.indexOf(prompts.get(start + i));
            }
            TextEncoder.Encoded single = bank.batch(ids, null);
            // The null branch is the same batch with every caption dropped: one doubled forward pass, built only when guided.
            TextEncoder.Encoded doubled = c.scale() == 1.0 ? null : bank.batch(twice(ids), nullSecondHalf(count));
            Unmasking.LogitsFn fn = (tokens, withNull) -> {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    return withNull ? model.forward(m, twice(tokens), doubled, null).toFloatArray()
                            : model.forward(m, tokens, single, null).toFloatArray();
                }
            };
            int[] codes = Unmasking.sample(fn, count, l, mc.vocab(), c, rng);
            System.arraycopy(codes, 0, out, start * l, codes.length);
        }
        return out;
    }

    private static int[] twice(int[] a) {
        int[] out = java.util.Arrays.copyOf(a, 2 * a.length);
        System.arraycopy(a, 0, out, a.length, a.length);
        return out;
    }

    private static boolean[] nullSecondHalf(int count) {
        boolean[] drop = new boolean[2 * count];
        java.util.Arrays.fill(drop, count, 2 * count, true);
        return drop;
    }

    @Override
    public void close() {
        params.close();
    }
}
