package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @AfterEach
    void clearOverrides() {
        System.clearProperty("diffrag.device");
        System.clearProperty("diffrag.dtype");
    }

    @Test
    void picksTheGpuOnlyWhenTheEngineSeesOne() {
        Device expected = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        assertThat(Devices.pick()).isEqualTo(expected);
        System.setProperty("diffrag.device", "CPU");
        assertThat(Devices.pick()).isEqualTo(Device.cpu());
    }

    /** model-server/README.md gives "auto" as the variable's default: set, it must pick as if unset. */
    @Test
    void autoPicksAsIfUnset() {
        Device unset = Devices.pick();
        System.setProperty("diffrag.device", "auto");
        assertThat(Devices.pick()).isEqualTo(unset);
        System.setProperty("diffrag.device", "AUTO");
        assertThat(Devices.pick()).isEqualTo(unset);
    }

    /** The documented forms; DJL's Device.fromName refused "gpu:1" and read "gpu" as gpu(-1), not Device.gpu(). */
    @Test
    void readsTheDocumentedDeviceNames() {
        System.setProperty("diffrag.device", "gpu:1");
        assertThat(Devices.pick()).isEqualTo(Device.gpu(1));
        System.setProperty("diffrag.device", "GPU");
        assertThat(Devices.pick()).isEqualTo(Device.gpu());
        System.setProperty("diffrag.device", "gpu2");
        assertThat(Devices.pick()).isEqualTo(Device.gpu(2));
        System.setProperty("diffrag.device", "tpu");
        assertThatThrownBy(Devices::pick).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'tpu'").hasMessageContaining("gpu:N");
    }

    @Test
    void theComputeEnvironmentReportsTheEngineAndItsThreadCount() {
        int threads = JniUtils.getNumThreads();
        try {
            JniUtils.setNumThreads(1);
            Devices.ComputeEnvironment one = Devices.ComputeEnvironment.of(Device.cpu());
            assertThat(one.device()).isEqualTo("cpu()");
            assertThat(one.engine()).isEqualTo("PyTorch " + Engine.getInstance().getVersion());
            assertThat(one.intraOpThreads()).isEqualTo(1);
            assertThat(one.processors()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(one.cpu()).isNotBlank();
            JniUtils.setNumThreads(2);
            assertThat(Devices.ComputeEnvironment.of(Device.cpu()).intraOpThreads()).isEqualTo(2);
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    @Test
    void theCpuRunsFloat32WhateverIsRequested() {
        assertThat(Devices.dataType(Device.cpu())).isEqualTo(DataType.FLOAT32);
        System.setProperty("diffrag.dtype", "bf16");
        assertThat(Devices.dataType(Device.cpu())).isEqualTo(DataType.FLOAT32);
        assertThat(Devices.dataType(Device.gpu())).isEqualTo(DataType.BFLOAT16);
        System.setProperty("diffrag.dtype", "int8");
        assertThatThrownBy(() -> Devices.dataType(Device.gpu())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("int8");
    }
}
