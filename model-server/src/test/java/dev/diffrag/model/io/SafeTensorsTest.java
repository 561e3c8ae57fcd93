package dev.diffrag.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void writesExactlyTheBytesOfTheFormat() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("a", manager.create(new float[] {1.0f, -2.0f}));
        tensors.put("step", manager.create(3L));
        Path file = dir.resolve("known.safetensors");

        SafeTensors.write(file, tensors, Map.of("format", "pt"));

        // 141 header bytes, padded with 3 spaces to 144, the next multiple of 8.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}   ";
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(bytes(144, 0, 0, 0, 0, 0, 0, 0));
        expected.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(bytes(0x00, 0x00, 0x80, 0x3F));              // 1.0f
        expected.writeBytes(bytes(0x00, 0x00, 0x00, 0xC0));              // -2.0f
        expected.writeBytes(bytes(3, 0, 0, 0, 0, 0, 0, 0));               // 3L
        assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
    }

    /**
     * The file was made with Files.createTempFile, which is owner-only (rw-------) whatever the umask, so a model
     * written by one user could not be read by another (a container's service user) while its config.json could.
     */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void aWrittenFileGetsTheSamePermissionsAsAnyNewFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("a", manager.create(new float[] {1f})), Map.of());
        Path ordinary = Files.writeString(dir.resolve("config.json"), "{}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo(PosixFilePermissions.toString(Files.getPosixFilePermissions(ordinary)));
    }

    @Test
    void readsAHandWrittenFileOfEveryHalfAndIntegerType() throws IOException {
        // Unpadded header, keys not in data order, as other writers may produce.
        String header = "{\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,1],\"data_offsets\":[0,4]},"
                + "\"__metadata__\":{\"source\":\"hand\"}}";
        Path file = fileOf(header,
                bytes(0x80, 0x3F, 0x20, 0xC0),      // bf16 1.0, -2.5
                bytes(0x00, 0x3C, 0x00, 0xC0),      // f16 1.0, -2.0
                bytes(0x07, 0x00, 0x00, 0x00));     // int32 7

        SafeTensors.Contents contents = SafeTensors.read(file, manager);

        assertThat(contents.metadata()).containsExactly(Map.entry("source", "hand"));
        assertThat(contents.tensors()).containsOnlyKeys("i", "h", "b");
        NDArray b = contents.tensors().get("b");
        assertThat(b.getDataType()).isEqualTo(DataType.FLOAT32);       // BF16 is widened, exactly
        assertThat(b.getShape()).isEqualTo(new Shape(2, 1));
        assertThat(b.toFloatArray()).containsExactly(1.0f, -2.5f);
        NDArray h = contents.tensors().get("h");
        assertThat(h.getDataType()).isEqualTo(DataType.FLOAT16);
        assertThat(h.toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(1.0f, -2.0f);
        assertThat(contents.tensors().get("i").toIntArray()).containsExactly(7);
        assertThat(b.getName()).isEqualTo("b");
    }

    @Test
    void roundTripsEveryTypeExactly() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("f32", manager.randomNormal(new Shape(3, 4, 5)));
        tensors.put("f64", manager.randomNormal(new Shape(7)).toType(DataType.FLOAT64, false));
        tensors.put("f16", manager.randomNormal(new Shape(2, 3)).toType(DataType.FLOAT16, false));
        tensors.put("i64", manager.create(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}));
        tensors.put("i32", manager.create(new int[] {Integer.MIN_VALUE, 42}, new Shape(2, 1)));
        tensors.put("u8", manager.create(new byte[] {0, (byte) 255}).toType(DataType.UINT8, false));
        tensors.put("bool", manager.create(new boolean[] {true, false, true}));
        tensors.put("scalar", manager.create(2.5f));
        tensors.put("empty", manager.zeros(new Shape(0, 3)));
        Path file = dir.resolve("all.safetensors");

        SafeTensors.write(file, tensors, Map.of("k", "v"));
        SafeTensors.Contents back = SafeTensors.read(file, manager);

        assertThat(back.metadata()).isEqualTo(Map.of("k", "v"));
        assertThat(back.tensors().keySet()).containsExactlyElementsOf(tensors.keySet());
        tensors.forEach((name, original) -> {
            NDArray read = back.tensors().get(name);
            assertThat(read.getDataType()).as(name).isEqualTo(original.getDataType());
            assertThat(read.getShape()).as(name).isEqualTo(original.getShape());
            assertThat(read.toByteArray()).as(name).isEqualTo(original.toByteArray());
        });
    }

    @Test
    void storesFloatsAsBfloat16RoundingToNearestEven() throws IOException {
        // 1 + 2^-8 is halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to the even one, 1.
        // 1 + 3·2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties go to the even one, 1 + 2^-6.
        float[] values = {1f + 0x1p-8f, 1f + 3 * 0x1p-8f, 1f + 0x1p-8f + 0x1p-20f, -3.0f};
        Path file = dir.resolve("bf16.safetensors");

        SafeTensors.write(file, Map.of("w", manager.create(values)), Map.of(), SafeTensors.Dtype.BF16);

        byte[] raw = Files.readAllBytes(file);
        assertThat(new String(raw, 8, 64, StandardCharsets.US_ASCII)).contains("\"dtype\":\"BF16\"");
        assertThat(SafeTensors.read(file, manager).tensors().get("w").toFloatArray())
                .containsExactly(1f, 1f + 0x1p-6f, 1f + 0x1p-7f, -3.0f);
        assertThat(raw.length).isEqualTo(8 + ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong() + 8);
    }

    @Test
    void rejectsMalformedFilesWithTheReason() throws IOException {
        String okEntry = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertMalformed(fileOf(okEntry, new byte[4]), "cover 8 bytes but the data section has 4");
        assertMalformed(fileOf("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]),
                "needs 12 bytes");
        assertMalformed(fileOf("{\"x\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "unsupported dtype Q4");
        assertMalformed(fileOf("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]), "gap or overlap");
        // 2^32 · 2^32 elements wrap to 0 in a long: the bytes they need must not read as the 0 the offsets hold.
        assertMalformed(fileOf("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,0]}}", new byte[0]), "too large");
        assertMalformed(fileOf("[1,2]", new byte[0]), "not a JSON object");
        assertMalformed(fileOf("{\"__metadata__\":{\"n\":1}}", new byte[0]), "strings to strings");

        Path lying = dir.resolve("lying.safetensors");
        Files.write(lying, bytes(0xFF, 0xFF, 0, 0, 0, 0, 0, 0, '{', '}'));
        assertMalformed(lying, "does not fit");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, bytes(1, 2, 3));
        assertMalformed(tiny, "shorter than");
    }

    /**
     * Reading an array's bytes can make copies on the array's own manager: the host copy of a GPU array, the contiguous
     * copy of a strided one. Those must not outlive the write (a GPU model's checkpoint left a host copy of every
     * parameter and optimizer moment on the model's and optimizer's managers at every save).
     */
    @Test
    void writingLeavesNoCopiesOnTheArraysManager() throws IOException {
        NDArray strided = manager.arange(6f).reshape(2, 3).transpose();
        int before = manager.getManagedArrays().size();
        for (SafeTensors.Dtype storage : new SafeTensors.Dtype[] {SafeTensors.Dtype.F32, SafeTensors.Dtype.F16,
                SafeTensors.Dtype.BF16}) {
            Path file = dir.resolve(storage + ".safetensors");
            SafeTensors.write(file, Map.of("t", strided), Map.of(), storage);
            assertThat(manager.getManagedArrays().size()).as("arrays after writing %s", storage).isEqualTo(before);
            assertThat(SafeTensors.read(file, manager).tensors().get("t").toFloatArray())
                    .containsExactly(0f, 3f, 1f, 4f, 2f, 5f);
            before = manager.getManagedArrays().size();
        }
    }

    /** JSON objects are unordered: an empty tensor may be listed after the tensor that starts where it lies. */
    @Test
    void readsAnEmptyTensorListedAfterTheOneStartingAtItsOffset() throws IOException {
        Path file = fileOf("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"none\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", new byte[4]);
        Map<String, NDArray> tensors = SafeTensors.read(file, manager).tensors();
        assertThat(tensors.get("none").getShape()).isEqualTo(new Shape(0));
        assertThat(tensors.get("x").toFloatArray()).containsExactly(0f);
    }

    @Test
    void aTensorMayNotShadowTheMetadata() {
        assertThatThrownBy(() -> SafeTensors.write(dir.resolve("x"), Map.of("__metadata__", manager.ones(
                new Shape(1))), Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("x")).doesNotExist();
    }

    private void assertMalformed(Path file, String reason) {
        assertThatThrownBy(() -> SafeTensors.read(file, manager))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("malformed safetensors")
                .hasMessageContaining(reason);
    }

    private Path fileOf(String header, byte[]... data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.writeBytes(json);
        for (byte[] d : data) {
            out.writeBytes(d);
        }
        Path file = Files.createTempFile(dir, "hand", ".safetensors");
        Files.write(file, out.toByteArray());
        return file;
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
