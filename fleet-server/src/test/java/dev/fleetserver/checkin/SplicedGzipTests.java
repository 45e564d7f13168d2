package dev.fleetserver.checkin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Deflate segments made apart and stored blocks, spliced into one gzip member, decode with a standard gzip reader to
 * the concatenation of their data, across the 64 KiB stored-block limit.
 */
class SplicedGzipTests {

    private static final ResponseCompression LEVEL_1 = new ResponseCompression(1, 0);

    @Test
    void storedPartsOfAnySizeDecodeToTheirConcatenation() {
        Random random = new Random(1);
        for (int size : new int[] {0, 1, 100, 65_535, 65_536, 200_000}) {
            byte[][] parts = {bytes(random, size / 3), bytes(random, 0), bytes(random, size - size / 3)};

            byte[] gzip = splice(parts, new boolean[] {false, false, false});

            assertThat(PolicyChangeTemplateTests.gunzip(gzip)).isEqualTo(concat(parts));
        }
    }

    @Test
    void deflatedSegmentsAndStoredPartsInterleave() {
        Random random = new Random(2);
        byte[] text = "{\"inputs\":[{\"id\":\"logfile\",\"paths\":[\"/var/log/*.log\"]}],"
                .repeat(500)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[][] parts = {text, bytes(random, 300), text, bytes(random, 70_000), text};

        byte[] gzip = splice(parts, new boolean[] {true, false, true, false, true});

        assertThat(PolicyChangeTemplateTests.gunzip(gzip)).isEqualTo(concat(parts));
        assertThat(gzip.length).as("the text segments are compressed").isLessThan(concat(parts).length / 2);
    }

    /** What {@link PolicyChangeAnswer#gzip} does, with each part either deflated on its own or stored. */
    private static byte[] splice(byte[][] parts, boolean[] deflated) {
        var out = new ByteArrayOutputStream();
        byte[] header = new byte[10];
        SplicedGzip.writeHeader(header, 0);
        out.writeBytes(header);
        CRC32 crc = new CRC32();
        int length = 0;
        for (int i = 0; i < parts.length; i++) {
            if (deflated[i]) {
                out.writeBytes(LEVEL_1.deflateSegment(parts[i]));
            } else {
                byte[] stored = new byte[SplicedGzip.storedSize(parts[i].length)];
                assertThat(SplicedGzip.writeStored(stored, 0, parts, i, i + 1)).isEqualTo(stored.length);
                out.writeBytes(stored);
            }
            crc.update(parts[i]);
            length += parts[i].length;
        }
        byte[] end = new byte[SplicedGzip.overhead() - 10];
        SplicedGzip.writeEnd(end, 0, (int) crc.getValue(), length);
        out.writeBytes(end);
        return out.toByteArray();
    }

    private static byte[] bytes(Random random, int n) {
        byte[] data = new byte[n];
        random.nextBytes(data);
        return data;
    }

    private static byte[] concat(byte[][] parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
