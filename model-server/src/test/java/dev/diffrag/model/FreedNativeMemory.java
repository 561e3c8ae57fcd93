package dev.diffrag.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Makes a read of freed native memory visible: collects garbage, then hands the freed small blocks out again as NaN. */
public final class FreedNativeMemory {

    private FreedNativeMemory() {}

    /**
     * Frees every unreachable direct buffer, then takes small native blocks again, filled with NaN. Keep the returned
     * buffers reachable for as long as the poison must stay in place.
     */
    public static List<ByteBuffer> poison() throws InterruptedException {
        System.gc();
        Thread.sleep(100); // the cleaner frees the collected buffers' native memory on its own thread
        List<ByteBuffer> poison = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(4 + 4 * (i % 4)).order(ByteOrder.nativeOrder());
            while (buffer.remaining() >= 4) {
                buffer.putFloat(Float.NaN);
            }
            poison.add(buffer);
        }
        return poison;
    }
}
