package dev.diffrag.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length, a JSON header mapping each tensor name to {@code {dtype, shape, data_offsets}} plus an optional string map
 * {@code __metadata__}, then the raw little-endian tensor bytes.
 *
 * <p>Why not DJL's own {@code NDList.encode(SAFETENSORS)}: in DJL 0.33 with the PyTorch engine any BF16 array (creating
 * one from bytes, or casting to it) aborts the JVM, and the reader drops {@code __metadata__}. This class therefore
 * reads BF16 tensors widened to FLOAT32 (exact) and can store float tensors as BF16 or F16 to halve a file.
 */
public final class SafeTensors {

    /** The element types this reader and writer know, by their safetensors names. */
    public enum Dtype {
        F64(8, DataType.FLOAT64),
        F32(4, DataType.FLOAT32),
        F16(2, DataType.FLOAT16),
        BF16(2, DataType.BFLOAT16),
        I64(8, DataType.INT64),
        I32(4, DataType.INT32),
        I8(1, DataType.INT8),
        U8(1, DataType.UINT8),
        BOOL(1, DataType.BOOLEAN);

        final int bytes;
        final DataType djl;

        Dtype(int bytes, DataType djl) {
            this.bytes = bytes;
            this.djl = djl;
        }

        static Dtype of(DataType type) {
            for (Dtype d : values()) {
                if (d.djl == type) {
                    return d;
                }
            }
            throw new IllegalArgumentException("safetensors cannot hold DJL data type " + type);
        }
    }

    /** What a file holds: tensors in file order and the {@code __metadata__} strings (empty when absent). */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METADATA = "__metadata__";
    /** The reference implementation refuses headers above 100 MB; so do we, before allocating. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private SafeTensors() {}

    /** Writes {@code tensors} in their own data types. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, Dtype.F32);
    }

    /**
     * Writes {@code tensors}; FLOAT32 tensors are stored as {@code floatStorage} (F32, F16 or BF16), other types as
     * they are. The file is written beside its destination and moved into place, so a crash never leaves a torn file.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata, Dtype floatStorage)
            throws IOException {
        if (floatStorage != Dtype.F32 && floatStorage != Dtype.F16 && floatStorage != Dtype.BF16) {
            throw new IllegalArgumentException("float storage must be F32, F16 or BF16, not " + floatStorage);
        }
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            header.set(METADATA, JSON.valueToTree(metadata));
        }
        List<byte[]> payloads = new ArrayList<>(tensors.size());
        long offset = 0;
        // Reading an array's bytes can copy it on its own manager (to the host from a GPU, to contiguous memory, to the
        // stored type); the scope closes those copies, which would otherwise live as long as the model.
        try (NDScope scope = new NDScope()) {
            for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
                if (entry.getKey().equals(METADATA)) {
                    throw new IllegalArgumentException("a tensor may not be named " + METADATA);
                }
                NDArray array = entry.getValue();
                Dtype stored = array.getDataType() == DataType.FLOAT32 ? floatStorage : Dtype.of(array.getDataType());
                byte[] payload = littleEndianBytes(array, stored);
                ObjectNode info = header.putObject(entry.getKey());
                info.put("dtype", stored.name());
                info.putPOJO("shape", array.getShape().getShape());
                info.putArray("data_offsets").add(offset).add(offset + payload.length);
                payloads.add(payload);
                offset += payload.length;
            }
        }
        byte[] json = JSON.writeValueAsBytes(header);
        // Pad the header with spaces to a multiple of 8 so the data that follows stays aligned, as the reference does.
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }

        AtomicFiles.write(file, out -> {
            out.write(prefix.array());
            for (byte[] payload : payloads) {
                out.write(payload);
            }
        });
    }

    /**
     * Reads every tensor of {@code file} into {@code manager}, checking the header against the file: known dtypes,
     * byte ranges that match the shapes, tile the data section without gaps or overlaps and end where the file ends.
     */
    public static Contents read(Path file, NDManager manager) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw malformed(file, "shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > fileSize) {
                throw malformed(file, "header length " + headerLength + " does not fit a file of " + fileSize + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw malformed(file, "header is not JSON: " + e.getMessage());
            }
            if (header == null || !header.isObject()) {
                throw malformed(file, "header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            long dataLength = fileSize - dataStart;
            if (dataLength > Integer.MAX_VALUE) {
                // One mapped buffer addresses at most 2 GiB; our models are far smaller.
                throw new IOException("safetensors file " + file + " holds " + dataLength
                        + " bytes of tensors; files over 2 GiB are not supported");
            }
            ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLength)
                    .order(ByteOrder.LITTLE_ENDIAN);

            Map<String, String> metadata = Map.of();
            List<Entry> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals(METADATA)) {
                    metadata = parseMetadata(file, field.getValue());
                } else {
                    entries.add(parseEntry(file, field.getKey(), field.getValue()));
                }
            }
            checkLayout(file, entries, dataLength);

            Map<String, NDArray> tensors = new LinkedHashMap<>();
            try {
                for (Entry entry : entries) {
                    ByteBuffer bytes = data.slice((int) entry.begin, (int) (entry.end - entry.begin))
                            .order(ByteOrder.LITTLE_ENDIAN);
                    NDArray array = toArray(bytes, entry, manager);
                    array.setName(entry.name);
                    tensors.put(entry.name, array);
                }
            } catch (RuntimeException e) {
                tensors.values().forEach(NDArray::close);
                throw e;
            }
            return new Contents(tensors, metadata);
        }
    }

    private record Entry(String name, Dtype dtype, Shape shape, long begin, long end) {}

    private static Entry parseEntry(Path file, String name, JsonNode info) throws IOException {
        JsonNode dtype = info.get("dtype");
        JsonNode shape = info.get("shape");
        JsonNode offsets = info.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray() || offsets == null
                || !offsets.isArray() || offsets.size() != 2) {
            throw malformed(file, "tensor '" + name + "' needs dtype, shape and two data_offsets: " + info);
        }
        Dtype type;
        try {
            type = Dtype.valueOf(dtype.asText());
        } catch (IllegalArgumentException e) {
            throw malformed(file, "tensor '" + name + "' has unsupported dtype " + dtype.asText());
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            if (!shape.get(i).canConvertToLong() || shape.get(i).asLong() < 0) {
                throw malformed(file, "tensor '" + name + "' has a bad shape " + shape);
            }
            dims[i] = shape.get(i).asLong();
        }
        if (!offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw malformed(file, "tensor '" + name + "' has bad data_offsets " + offsets);
        }
        Entry entry = new Entry(name, type, new Shape(dims), offsets.get(0).asLong(), offsets.get(1).asLong());
        long expected = type.bytes;
        try {
            for (long dim : dims) { // Shape.size() wraps around silently
                expected = Math.multiplyExact(expected, dim);
            }
        } catch (ArithmeticException e) {
            throw malformed(file, "tensor '" + name + "' of shape " + shape + " is too large");
        }
        if (entry.end - entry.begin != expected) {
            throw malformed(file, "tensor '" + name + "' of " + type + entry.shape + " needs " + expected
                    + " bytes but data_offsets " + offsets + " hold " + (entry.end - entry.begin));
        }
        return entry;
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws IOException {
        if (!node.isObject()) {
            throw malformed(file, METADATA + " must be an object of strings");
        }
        for (JsonNode value : node) {
            if (!value.isTextual()) {
                throw malformed(file, METADATA + " must map strings to strings, found " + value);
            }
        }
        return JSON.convertValue(node, new TypeReference<LinkedHashMap<String, String>>() {});
    }

    private static void checkLayout(Path file, List<Entry> entries, long dataLength) throws IOException {
        List<Entry> byOffset = new ArrayList<>(entries);
        // By end too: an empty tensor lies where the next one starts, and the header's key order means nothing.
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long next = 0;
        for (Entry entry : byOffset) {
            if (entry.begin != next) {
                throw malformed(file, "tensor '" + entry.name + "' starts at byte " + entry.begin + ", expected "
                        + next + " (gap or overlap in the data section)");
            }
            next = entry.end;
        }
        if (next != dataLength) {
            throw malformed(file, "tensors cover " + next + " bytes but the data section has " + dataLength);
        }
    }

    private static NDArray toArray(ByteBuffer bytes, Entry entry, NDManager manager) {
        if (entry.dtype == Dtype.BF16) {
            // bfloat16 is the upper half of a float32, so widening is exact (see the class comment for why).
            ByteBuffer widened = ByteBuffer.allocateDirect(bytes.remaining() * 2).order(ByteOrder.nativeOrder());
            while (bytes.hasRemaining()) {
                widened.putInt((bytes.getShort() & 0xFFFF) << 16);
            }
            return manager.create(widened.flip(), entry.shape, DataType.FLOAT32);
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.nativeOrder());
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || entry.dtype.bytes == 1) {
            copy.put(bytes);
        } else {
            swapInto(bytes, copy, entry.dtype.bytes);
        }
        return manager.create(copy.flip(), entry.shape, entry.dtype.djl);
    }

    /** The array's values as {@code stored}, little-endian; copies it makes are the caller's scope's to close. */
    private static byte[] littleEndianBytes(NDArray array, Dtype stored) {
        if (stored == Dtype.BF16) {
            float[] values = array.toType(DataType.FLOAT32, false).toFloatArray();
            ByteBuffer out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float value : values) {
                out.putShort(toBfloat16(value));
            }
            return out.array();
        }
        ByteBuffer buffer = array.toType(stored.djl, false).toByteBuffer();
        byte[] out = new byte[buffer.remaining()];
        if (buffer.order() == ByteOrder.LITTLE_ENDIAN || stored.bytes == 1) {
            buffer.get(out);
        } else {
            swapInto(buffer, ByteBuffer.wrap(out), stored.bytes);
        }
        return out;
    }

    /** Rounds to the nearest bfloat16, ties to even, keeping NaN a (quiet) NaN. */
    static short toBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    private static void swapInto(ByteBuffer from, ByteBuffer to, int width) {
        byte[] element = new byte[width];
        while (from.hasRemaining()) {
            from.get(element);
            for (int i = width - 1; i >= 0; i--) {
                to.put(element[i]);
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int read = channel.read(into, position + into.position());
            if (read < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static IOException malformed(Path file, String reason) {
        return new IOException("malformed safetensors file " + file + ": " + reason);
    }
}
