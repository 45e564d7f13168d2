package dev.fleetserver.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class RequestBodiesTests {

    private static final long MIB = 1024 * 1024;

    @Test
    void aBodyUpToTheCapIsReadWhole() throws IOException {
        byte[] body = bytes(100_000);

        assertThat(RequestBodies.read(new ByteArrayInputStream(body), 100_000)).isEqualTo(body);
        assertThat(RequestBodies.read(new ByteArrayInputStream(body), 100_001)).isEqualTo(body);
        assertThat(RequestBodies.read(new ByteArrayInputStream(new byte[0]), 10))
                .isEmpty();
    }

    @Test
    void oneByteOverTheCapIsTooLarge() {
        assertThatThrownBy(() -> RequestBodies.read(new ByteArrayInputStream(bytes(100_001)), 100_000))
                .isInstanceOf(RequestBodyTooLargeException.class)
                .hasMessage("http: request body too large");
        assertThatThrownBy(() -> RequestBodies.read(new ByteArrayInputStream(bytes(2)), 1))
                .isInstanceOf(RequestBodyTooLargeException.class);
    }

    @Test
    void zeroMeansNoCap() throws IOException {
        byte[] body = bytes(3 * 8192 + 7);

        assertThat(RequestBodies.read(new ByteArrayInputStream(body), 0)).isEqualTo(body);
    }

    @Test
    void readingStopsAtTheCapEvenIfTheBodyNeverEnds() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };

        assertThatThrownBy(() -> RequestBodies.read(endless, MIB)).isInstanceOf(RequestBodyTooLargeException.class);
    }

    @Test
    void aSmallBodyCostsASmallBufferWhateverTheCap() throws IOException {
        byte[] body = bytes(100);
        long before = allocatedBytes();

        RequestBodies.read(new ByteArrayInputStream(body), 100 * MIB);

        assertThat(allocatedBytes() - before).isLessThan(64 * 1024);
    }

    @Test
    void gzipIsDecompressed() {
        byte[] json = "{\"status\":\"online\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(RequestBodies.gunzip(gzip(json), 1024)).isEqualTo(json);
        assertThat(RequestBodies.gunzip(gzip(json), json.length)).isEqualTo(json);
        assertThat(RequestBodies.gunzip(gzip(json), 0)).isEqualTo(json);
    }

    @Test
    void aGzipBombStopsAtTheCapWithoutInflatingItAll() {
        byte[] bomb = gzip(new byte[(int) (64 * MIB)]);
        assertThat(bomb.length).isLessThan(256 * 1024);
        long before = allocatedBytes();

        assertThatThrownBy(() -> RequestBodies.gunzip(bomb, 20 * MIB))
                .isInstanceOf(RequestBodyTooLargeException.class)
                .hasMessage("http: request body too large");
        assertThat(allocatedBytes() - before).isLessThan(24 * MIB);
    }

    @Test
    void oneByteOverTheDecompressedCapIsTooLarge() {
        assertThatThrownBy(() -> RequestBodies.gunzip(gzip(bytes(1001)), 1000))
                .isInstanceOf(RequestBodyTooLargeException.class);
    }

    @Test
    void somethingThatIsNotGzipHasAnInvalidHeader() {
        assertThatThrownBy(() -> RequestBodies.gunzip("{\"a\":1}".getBytes(StandardCharsets.UTF_8), MIB))
                .isInstanceOf(InvalidGzipException.class)
                .hasMessage("gzip: invalid header");
        assertThatThrownBy(() -> RequestBodies.gunzip(new byte[0], MIB))
                .isInstanceOf(InvalidGzipException.class)
                .hasMessage("gzip: invalid header");
    }

    @Test
    void aTruncatedStreamEndsUnexpectedly() {
        byte[] whole = gzip(bytes(100_000));

        assertThatThrownBy(() -> RequestBodies.gunzip(Arrays.copyOf(whole, whole.length / 2), MIB))
                .isInstanceOf(InvalidGzipException.class)
                .hasMessage("unexpected EOF");
    }

    @Test
    void aWrongChecksumIsInvalid() {
        byte[] corrupt = gzip(bytes(1000));
        corrupt[corrupt.length - 8] ^= 0x55;

        assertThatThrownBy(() -> RequestBodies.gunzip(corrupt, MIB))
                .isInstanceOf(InvalidGzipException.class)
                .hasMessage("gzip: invalid checksum");
    }

    @Test
    void corruptCompressedDataIsInvalid() {
        byte[] corrupt = gzip(bytes(1000));
        // Right after the 10-byte header: a deflate block type of 3 does not exist.
        corrupt[10] = (byte) 0xff;

        assertThatThrownBy(() -> RequestBodies.gunzip(corrupt, MIB))
                .isInstanceOf(InvalidGzipException.class)
                .hasMessage("flate: corrupt input");
    }

    private static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    private static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                gzip.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
