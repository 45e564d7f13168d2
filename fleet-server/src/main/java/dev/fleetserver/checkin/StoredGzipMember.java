package dev.fleetserver.checkin;

import java.util.zip.CRC32;

/**
 * A gzip member (RFC 1952 §2.3) whose deflate data is made of stored, uncompressed blocks (RFC 1951 §3.2.4): the
 * per-agent bytes of a shared answer (ADR 12). They are a few hundred bytes at most, so compressing them would
 * save little and cost a {@link java.util.zip.Deflater} per answer; storing them costs a CRC-32 and a copy.
 */
final class StoredGzipMember {

    /** The most a stored block holds (its LEN field is 16 bits). */
    private static final int MAX_BLOCK = 0xFFFF;

    private static final int HEADER = 10;
    private static final int BLOCK_HEADER = 5;
    private static final int TRAILER = 8;

    private StoredGzipMember() {}

    /** The size of the member holding {@code length} bytes. */
    static int size(int length) {
        int blocks = Math.max(1, (length + MAX_BLOCK - 1) / MAX_BLOCK);
        return HEADER + blocks * BLOCK_HEADER + length + TRAILER;
    }

    /**
     * Writes the member holding the concatenation of {@code parts} into {@code out} at {@code position}.
     *
     * @return the position after it
     */
    static int write(byte[] out, int position, byte[][] parts, int from, int to) {
        int length = 0;
        for (int i = from; i < to; i++) {
            length += parts[i].length;
        }
        int p = position;
        // ID1 ID2, CM = deflate, no flags, no MTIME, no XFL, OS = unknown.
        out[p++] = 0x1f;
        out[p++] = (byte) 0x8b;
        out[p++] = 8;
        for (int i = 0; i < 6; i++) {
            out[p++] = 0;
        }
        out[p++] = (byte) 0xff;
        CRC32 crc = new CRC32();
        int remainingInBlock = 0;
        int left = length;
        if (length == 0) {
            p = blockHeader(out, p, 0, true);
        }
        for (int i = from; i < to; i++) {
            byte[] part = parts[i];
            crc.update(part);
            int offset = 0;
            while (offset < part.length) {
                if (remainingInBlock == 0) {
                    remainingInBlock = Math.min(MAX_BLOCK, left);
                    p = blockHeader(out, p, remainingInBlock, left == remainingInBlock);
                }
                int n = Math.min(remainingInBlock, part.length - offset);
                System.arraycopy(part, offset, out, p, n);
                p += n;
                offset += n;
                remainingInBlock -= n;
                left -= n;
            }
        }
        p = littleEndian(out, p, (int) crc.getValue());
        return littleEndian(out, p, length);
    }

    /** BFINAL and BTYPE = 00 in the first byte (the rest of it is padding), then LEN and its complement NLEN. */
    private static int blockHeader(byte[] out, int p, int length, boolean last) {
        out[p++] = (byte) (last ? 1 : 0);
        out[p++] = (byte) length;
        out[p++] = (byte) (length >>> 8);
        out[p++] = (byte) ~length;
        out[p++] = (byte) (~length >>> 8);
        return p;
    }

    private static int littleEndian(byte[] out, int p, int value) {
        out[p++] = (byte) value;
        out[p++] = (byte) (value >>> 8);
        out[p++] = (byte) (value >>> 16);
        out[p++] = (byte) (value >>> 24);
        return p;
    }
}
