package org.dlc4j.io;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.dlc4j.util.InvalidInputException;

/**
 * The {@code data.pkl} of a torch.save zip checkpoint, run by a pickle machine that knows only what torch.save of a
 * state dict writes: protocol 2, plus protocol 4's framing opcodes. It builds values and never runs code; a global it
 * does not know is refused by name. Tuples and lists both become Java lists, dicts become insertion-ordered maps.
 */
final class TorchPickle {

    /** A storage as its persistent id names it: element dtype, the key of its entry {@code data/<key>}, element count. */
    record Storage(String dtype, String key, long numel) {}

    /** A strided view of a storage, as torch._utils._rebuild_tensor_v2 receives it (offset and strides in elements). */
    record Tensor(Storage storage, long offset, long[] shape, long[] stride) {}

    /** A known callable, by its dotted name. */
    private record Global(String name) {}

    private record StorageType(String dtype) {}

    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final Set<String> CALLABLES = Set.of(ORDERED_DICT, REBUILD_TENSOR,
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state");
    private static final Map<String, String> STORAGE_DTYPES = Map.of(
            "FloatStorage", "F32", "HalfStorage", "F16", "BFloat16Storage", "BF16", "DoubleStorage", "F64",
            "LongStorage", "I64", "IntStorage", "I32", "ShortStorage", "I16", "CharStorage", "I8",
            "ByteStorage", "U8", "BoolStorage", "BOOL");

    /** Far deeper than any checkpoint nests; a pickle can make a dict that holds itself. */
    private static final int MAX_DEPTH = 100;

    private final Path path;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>(); // None is null, which ArrayDeque would refuse
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Integer, Object> memo = new HashMap<>();

    private TorchPickle(Path path, byte[] pickle) {
        this.path = path;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Every tensor of the pickled object, named by its path through nested dicts and lists joined with "."
     * ({@code {"model": sd, "step": 5}} gives "model.&lt;name&gt;"); leaves that are not tensors are skipped.
     */
    static LinkedHashMap<String, Tensor> tensors(Path path, byte[] pickle) {
        var machine = new TorchPickle(path, pickle);
        Object root;
        try {
            root = machine.run();
        } catch (BufferUnderflowException e) {
            throw corrupt(path, "its data.pkl ends early");
        } catch (IndexOutOfBoundsException | NoSuchElementException | ClassCastException | NullPointerException
                 | IllegalArgumentException | ArithmeticException e) {
            throw corrupt(path, "its data.pkl does not make sense at byte " + machine.in.position());
        }
        var tensors = new LinkedHashMap<String, Tensor>();
        flatten(path, "", root, 0, tensors);
        return tensors;
    }

    static InvalidInputException corrupt(Path path, String why) {
        return new InvalidInputException(path + " is not a readable PyTorch checkpoint (" + why
                + "); download it again, or re-save it with torch.save");
    }

    private Object run() {
        while (true) {
            int op = in.get() & 0xFF;
            switch (op) {
                case 0x80 -> in.get(); // PROTO: what follows is checked opcode by opcode
                case 0x95 -> in.getLong(); // FRAME: a length hint for buffered readers
                case 'c' -> push(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    String name = (String) pop();
                    push(global((String) pop(), name));
                }
                case 'q' -> memo.put(in.get() & 0xFF, peek()); // BINPUT
                case 'r' -> memo.put(in.getInt(), peek()); // LONG_BINPUT
                case 0x94 -> memo.put(memo.size(), peek()); // MEMOIZE
                case 'h' -> push(recall(in.get() & 0xFF)); // BINGET
                case 'j' -> push(recall(in.getInt())); // LONG_BINGET
                case '(' -> marks.push(stack.size()); // MARK
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case ']', ')' -> push(new ArrayList<>()); // EMPTY_LIST, EMPTY_TUPLE
                case 't' -> push(popFrom(marks.pop())); // TUPLE
                case 0x85, 0x86, 0x87 -> push(popFrom(stack.size() - (op - 0x84))); // TUPLE1, TUPLE2, TUPLE3
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    dict(peek()).put(key, value);
                }
                case 'u' -> { // SETITEMS
                    var items = popFrom(marks.pop());
                    var dict = dict(peek());
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        dict.put(items.get(i), items.get(i + 1));
                    }
                }
                case 'a' -> { // APPEND
                    Object value = pop();
                    list(peek()).add(value);
                }
                case 'e' -> { // APPENDS
                    var items = popFrom(marks.pop());
                    list(peek()).addAll(items);
                }
                case 'J' -> push((long) in.getInt()); // BININT
                case 'K' -> push((long) (in.get() & 0xFF)); // BININT1
                case 'M' -> push((long) (in.getShort() & 0xFFFF)); // BININT2
                case 0x8a -> push(long1()); // LONG1
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT: big-endian
                case 'X' -> push(utf8(in.getInt())); // BINUNICODE
                case 0x8c -> push(utf8(in.get() & 0xFF)); // SHORT_BINUNICODE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'N' -> push(null); // NONE
                case 'R' -> { // REDUCE
                    var args = list(pop());
                    push(reduce(pop(), args));
                }
                case 'b' -> pop(); // BUILD: the state is an OrderedDict's attributes (_metadata), not its items
                case 'Q' -> push(storage(list(pop()))); // BINPERSID
                case '.' -> { // STOP
                    return pop();
                }
                default -> throw new InvalidInputException(path + " uses pickle opcode 0x" + Integer.toHexString(op)
                        + " (at byte " + (in.position() - 1) + "), which torch.save of a state dict does not write;"
                        + " save only the model's state_dict, or convert it to safetensors");
            }
        }
    }

    private Object global(String module, String name) {
        String dotted = module + "." + name;
        if (CALLABLES.contains(dotted)) {
            return new Global(dotted);
        }
        if (module.equals("torch") && STORAGE_DTYPES.containsKey(name)) {
            return new StorageType(STORAGE_DTYPES.get(name));
        }
        throw new InvalidInputException(path + " holds a pickled " + dotted + ", which dlc4j does not load (it reads"
                + " tensors only and never runs code from a checkpoint); save only the model's state_dict, or convert it"
                + " to safetensors");
    }

    private Object reduce(Object callable, List<Object> args) {
        String name = ((Global) callable).name();
        if (name.equals(ORDERED_DICT)) {
            if (!args.isEmpty()) {
                throw new IllegalArgumentException("OrderedDict with arguments"); // pickle adds items by SETITEMS
            }
            return new LinkedHashMap<>();
        }
        if (name.equals(REBUILD_TENSOR)) {
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            long[] shape = longs(args.get(2));
            long[] stride = longs(args.get(3));
            if (shape.length != stride.length) {
                throw new IllegalArgumentException("size and stride of different lengths");
            }
            return new Tensor((Storage) args.get(0), (Long) args.get(1), shape, stride);
        }
        return (Tensor) args.get(0); // _rebuild_parameter(data, requires_grad, ...): the weights are the data
    }

    /** A persistent id: ('storage', storage type, key, location, element count). */
    private static Storage storage(List<Object> id) {
        if (id.size() != 5 || !"storage".equals(id.get(0))) {
            throw new IllegalArgumentException("unknown persistent id");
        }
        return new Storage(((StorageType) id.get(1)).dtype(), (String) id.get(2), (Long) id.get(4));
    }

    private static void flatten(Path path, String name, Object value, int depth, LinkedHashMap<String, Tensor> out) {
        if (depth > MAX_DEPTH) {
            throw corrupt(path, "its objects nest more than " + MAX_DEPTH + " deep, or contain themselves");
        }
        if (value instanceof Tensor t) {
            if (out.put(name, t) != null) {
                throw corrupt(path, "two tensors are named '" + name + "' once nested names are joined with '.'");
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(path, join(name, String.valueOf(k)), v, depth + 1, out));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(path, join(name, Integer.toString(i)), list.get(i), depth + 1, out);
            }
        }
        // Numbers, strings, None and booleans (a step count, a learning rate) are not weights.
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    private static long[] longs(Object tuple) {
        return list(tuple).stream().mapToLong(v -> (Long) v).toArray();
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object value) {
        return (Map<Object, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() {
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        return stack.get(stack.size() - 1);
    }

    /** Removes and returns the stack from {@code start} up. */
    private List<Object> popFrom(int start) {
        var top = stack.subList(start, stack.size());
        var items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private Object recall(int index) {
        if (!memo.containsKey(index)) {
            throw new IllegalArgumentException("memo " + index + " was never stored");
        }
        return memo.get(index);
    }

    /** A little-endian two's-complement integer of up to 8 bytes. */
    private long long1() {
        int n = in.get() & 0xFF;
        if (n > 8) {
            throw new IllegalArgumentException("integer of " + n + " bytes");
        }
        long value = 0;
        for (int i = 0; i < n; i++) {
            value |= (in.get() & 0xFFL) << (8 * i);
        }
        return n == 0 || n == 8 ? value : value << (64 - 8 * n) >> (64 - 8 * n); // sign-extend
    }

    private String utf8(int length) {
        if (length < 0 || length > in.remaining()) {
            throw new BufferUnderflowException(); // checked before allocating what a corrupt length asks for
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** GLOBAL's arguments: newline-terminated ASCII. */
    private String line() {
        var text = new StringBuilder();
        for (byte b; (b = in.get()) != '\n'; ) {
            text.append((char) (b & 0xFF));
        }
        return text.toString();
    }
}
