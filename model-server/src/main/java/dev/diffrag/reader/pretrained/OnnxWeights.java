package dev.diffrag.reader.pretrained;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The float weights of an ONNX model (the graph's initializers), named after the PyTorch modules they were exported
 * from. A {@code torch.nn.Linear} is exported as a MatMul whose weight is an anonymous initializer
 * ({@code onnx::MatMul_1525}) holding the transposed matrix, (in, out); it is named here after its node
 * ({@code /encoder/layer.0/attention/self/query/MatMul} gives {@code encoder.layer.0.attention.self.query.weight}) and
 * kept as (in, out). Biases and norm gains keep their exported names.
 *
 * <p>ONNX files are protobuf messages; only the fields needed for this are read (onnx.proto: ModelProto.graph = 7,
 * GraphProto.node = 1 and .initializer = 5, NodeProto.input = 1 / .name = 3 / .op_type = 4, TensorProto.dims = 1 /
 * .data_type = 2 / .float_data = 4 / .name = 8 / .raw_data = 9).
 */
public final class OnnxWeights {

    /** A float tensor in row-major order. */
    public record Tensor(long[] shape, float[] values) {}

    private static final int FLOAT = 1; // TensorProto.DataType.FLOAT

    private OnnxWeights() {}

    /** Reads the float initializers of the ONNX model on the classpath at {@code resource}. */
    public static Map<String, Tensor> readResource(String resource) {
        try (InputStream in = OnnxWeights.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath");
            }
            return read(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the ONNX model " + resource, e);
        }
    }

    /** Reads the float initializers of a serialized ONNX model. */
    public static Map<String, Tensor> read(byte[] model) throws IOException {
        ByteString graph = null;
        CodedInputStream in = input(ByteString.copyFrom(model));
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 7) {
                graph = in.readBytes();
            } else {
                in.skipField(tag);
            }
        }
        if (graph == null) {
            throw new IOException("not an ONNX model: no graph");
        }
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        Map<String, String> matMulNames = new LinkedHashMap<>(); // initializer → module name
        in = input(graph);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> node(in.readBytes(), matMulNames);
                case 5 -> tensor(in.readBytes(), initializers);
                default -> in.skipField(tag);
            }
        }
        Map<String, Tensor> named = new LinkedHashMap<>();
        initializers.forEach((name, tensor) -> named.put(matMulNames.getOrDefault(name, name), tensor));
        return named;
    }

    private static CodedInputStream input(ByteString bytes) {
        CodedInputStream in = bytes.newCodedInput();
        in.setSizeLimit(Integer.MAX_VALUE);
        return in;
    }

    /** Records the module name of a MatMul's weight input. */
    private static void node(ByteString bytes, Map<String, String> matMulNames) throws IOException {
        List<String> inputs = new ArrayList<>();
        String name = "";
        String op = "";
        CodedInputStream in = input(bytes);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> inputs.add(in.readString());
                case 3 -> name = in.readString();
                case 4 -> op = in.readString();
                default -> in.skipField(tag);
            }
        }
        if (op.equals("MatMul") && inputs.size() == 2 && name.endsWith("/MatMul")) {
            String module = name.substring(name.startsWith("/") ? 1 : 0, name.length() - "/MatMul".length());
            matMulNames.put(inputs.get(1), module.replace('/', '.') + ".weight");
        }
    }

    private static void tensor(ByteString bytes, Map<String, Tensor> into) throws IOException {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String name = null;
        float[] values = null;
        List<Float> floatData = new ArrayList<>();
        CodedInputStream in = input(bytes);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            boolean packed = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            switch (field) {
                case 1 -> {
                    if (packed) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) {
                            dims.add(in.readInt64());
                        }
                        in.popLimit(limit);
                    } else {
                        dims.add(in.readInt64());
                    }
                }
                case 2 -> type = in.readInt32();
                case 4 -> {
                    if (packed) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) {
                            floatData.add(in.readFloat());
                        }
                        in.popLimit(limit);
                    } else {
                        floatData.add(in.readFloat());
                    }
                }
                case 8 -> name = in.readString();
                case 9 -> {
                    ByteString raw = in.readBytes();
                    values = new float[raw.size() / Float.BYTES];
                    raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                }
                default -> in.skipField(tag);
            }
        }
        if (type != FLOAT || name == null) {
            return; // shape constants and the like: not weights
        }
        if (values == null) {
            values = new float[floatData.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = floatData.get(i);
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        if (Arrays.stream(shape).reduce(1, Math::multiplyExact) != values.length) {
            throw new IOException("initializer " + name + " has " + values.length + " values for shape "
                    + Arrays.toString(shape) + " (external data is not supported)");
        }
        into.put(name, new Tensor(shape, values));
    }
}
