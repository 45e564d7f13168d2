package dev.fleetserver.checkin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Stored gzip members decode with a standard gzip reader, alone and concatenated, across the 64 KiB block limit. */
class StoredGzipMemberTests {

    @Test
    void partsOfAnySizeDecodeToTheirConcatenation() {
        Random random = new Random(1);
        for (int size : new int[] {0, 1, 100, 65_535, 65_536, 200_000}) {
            byte[][] parts = {bytes(random, size / 3), bytes(random, 0), bytes(random, size - size / 3)};
            byte[] member = new byte[StoredGzipMember.size(size)];

            int end = StoredGzipMember.write(member, 0, parts, 0, parts.length);

            assertThat(end).isEqualTo(member.length);
            assertThat(PolicyChangeTemplateTests.gunzip(member)).isEqualTo(concat(parts));
        }
    }

    @Test
    void membersConcatenateWithCompressedOnes() {
        Random random = new Random(2);
        byte[] a = bytes(random, 5000);
        byte[] b = bytes(random, 300);
        byte[] stored = new byte[StoredGzipMember.size(b.length)];
        StoredGzipMember.write(stored, 0, new byte[][] {b}, 0, 1);
        byte[] compressed = new ResponseCompression(1, 0).gzip(a);

        assertThat(PolicyChangeTemplateTests.gunzip(concat(new byte[][] {compressed, stored, compressed})))
                .isEqualTo(concat(new byte[][] {a, b, a}));
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
