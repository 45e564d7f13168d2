package dev.fleetserver.checkin;

/**
 * One gzip member (RFC 1952 §2.3) spliced from deflate segments made at different times (ADR 12): the shared
 * segments of a policy change compressed once per revision, each ending byte-aligned on a sync flush and none of
 * them final, and each agent's own bytes between them in stored blocks (RFC 1951 §3.2.4), then an empty final
 * block. A deflate decoder reads blocks one after another whatever made them, and a segment compressed on its own
 * refers back only into itself, so the splice is a valid stream; the trailer's CRC-32 and size cover the whole
 * answer. One member, so no decoder has to support concatenated members.
 */
final class SplicedGzip {

    /** ID1 ID2, CM = deflate, no flags, no MTIME, no XFL, OS = unknown. */
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    /** An empty stored block with BFINAL set. */
    private static final byte[] FINAL_BLOCK = {1, 0, 0, (byte) 0xff, (byte) 0xff};
    /** The most a stored block holds (its LEN field is 16 bits). */
    private static final int MAX_BLOCK = 0xFFFF;

    private static final int BLOCK_HEADER = 5;
    private static final int TRAILER = 8;

    private SplicedGzip() {}

    /** The bytes a member takes besides its segments: header, final block, trailer. */
    static int overhead() {
        return HEADER.length + FINAL_BLOCK.length + TRAILER;
    }

    static int writeHeader(byte[] out, int position) {
        System.arraycopy(HEADER, 0, out, position, HEADER.length);
        return position + HEADER.length;
    }

    /** The size of {@code length} bytes in stored blocks. */
    static int storedSize(int length) {
        return (length + MAX_BLOCK - 1) / MAX_BLOCK * BLOCK_HEADER + length;
    }

    /**
     * Writes {@code parts[from..to)} as non-final stored blocks into {@code out} at {@code position}.
     *
     * @return the position after them
     */
    static int writeStored(byte[] out, int position, byte[][] parts, int from, int to) {
        int left = 0;
        for (int i = from; i < to; i++) {
            left += parts[i].length;
        }
        int p = position;
        int remainingInBlock = 0;
        for (int i = from; i < to; i++) {
            byte[] part = parts[i];
            int offset = 0;
            while (offset < part.length) {
                if (remainingInBlock == 0) {
                    remainingInBlock = Math.min(MAX_BLOCK, left);
                    // BFINAL = 0 and BTYPE = 00 in the first byte (the rest of it is padding), LEN, NLEN.
                    out[p++] = 0;
                    out[p++] = (byte) remainingInBlock;
                    out[p++] = (byte) (remainingInBlock >>> 8);
                    out[p++] = (byte) ~remainingInBlock;
                    out[p++] = (byte) (~remainingInBlock >>> 8);
                }
                int n = Math.min(remainingInBlock, part.length - offset);
                System.arraycopy(part, offset, out, p, n);
                p += n;
                offset += n;
                remainingInBlock -= n;
                left -= n;
            }
        }
        return p;
    }

    /** The final block, then CRC-32 and size of all the data, little-endian. */
    static int writeEnd(byte[] out, int position, int crc, int length) {
        System.arraycopy(FINAL_BLOCK, 0, out, position, FINAL_BLOCK.length);
        int p = littleEndian(out, position + FINAL_BLOCK.length, crc);
        return littleEndian(out, p, length);
    }

    private static int littleEndian(byte[] out, int p, int value) {
        out[p++] = (byte) value;
        out[p++] = (byte) (value >>> 8);
        out[p++] = (byte) (value >>> 16);
        out[p++] = (byte) (value >>> 24);
        return p;
    }
}
