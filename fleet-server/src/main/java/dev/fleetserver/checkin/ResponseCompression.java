package dev.fleetserver.checkin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * When and how checkin answers are gzip-compressed (agent-api §10.10): only bodies longer than
 * {@code compression_threshold}, at {@code compression_level} (1 is "best speed"; 0 turns compression off).
 */
record ResponseCompression(int level, int threshold) {

    /** Whether a JSON body of {@code length} bytes is sent compressed (when the agent accepts gzip). */
    boolean applies(int length) {
        return level > 0 && length > threshold;
    }

    /** {@code json} as one gzip member. */
    byte[] gzip(byte[] json) {
        return gzip(json, 0, json.length);
    }

    private byte[] gzip(byte[] data, int offset, int length) {
        var out = new ByteArrayOutputStream(length / 4 + 64);
        try (var gzip = new GZIPOutputStream(out) {
            {
                def.setLevel(deflaterLevel());
            }
        }) {
            gzip.write(data, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * {@code data} as raw deflate blocks, none of them final, ending byte-aligned on a sync flush: a segment that
     * other deflate blocks may follow in one stream ({@link SplicedGzip}).
     */
    byte[] deflateSegment(byte[] data) {
        Deflater deflater = new Deflater(deflaterLevel(), true);
        try {
            deflater.setInput(data);
            var out = new ByteArrayOutputStream(data.length / 4 + 64);
            byte[] buffer = new byte[8192];
            int n;
            // A sync flush that fills the buffer may have more to write (Deflater#deflate).
            do {
                n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                out.write(buffer, 0, n);
            } while (n == buffer.length);
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private int deflaterLevel() {
        return level == 1 ? Deflater.BEST_SPEED : level;
    }
}
