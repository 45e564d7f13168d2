package dev.fleetserver.limits;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads request bodies under a size cap (a route's {@code max_body_byte_size}, the checkin's
 * {@code max_body_decompressed}), like Go's {@code http.MaxBytesReader}: in chunks allocated as the body
 * arrives, never more than the cap plus one byte, so that neither a huge body nor a gzip bomb can exhaust
 * memory, and a small body costs a small buffer whatever the cap.
 */
public final class RequestBodies {

    private static final int CHUNK = 8192;

    private RequestBodies() {}

    /**
     * The whole body.
     *
     * @param maxBytes the cap; 0 or less = none (but no body larger than an array can hold)
     * @throws RequestBodyTooLargeException when the body has more than {@code maxBytes} bytes
     */
    public static byte[] read(InputStream in, long maxBytes) throws IOException {
        // One byte beyond the cap tells "exactly the cap" from "too large".
        long limit = maxBytes > 0 ? maxBytes : Integer.MAX_VALUE - 8;
        List<byte[]> chunks = new ArrayList<>();
        long total = 0;
        while (true) {
            byte[] chunk = new byte[(int) Math.min(CHUNK, limit + 1 - total)];
            int filled = in.readNBytes(chunk, 0, chunk.length);
            total += filled;
            if (total > limit) {
                throw new RequestBodyTooLargeException();
            }
            chunks.add(chunk);
            if (filled < chunk.length) {
                return join(chunks, (int) total);
            }
        }
    }

    /** The chunks' bytes in one array of exactly {@code size} bytes (only the last chunk may be partly filled). */
    private static byte[] join(List<byte[]> chunks, int size) {
        byte[] body = new byte[size];
        int at = 0;
        for (byte[] chunk : chunks) {
            int n = Math.min(chunk.length, size - at);
            System.arraycopy(chunk, 0, body, at, n);
            at += n;
        }
        return body;
    }

    /**
     * Decompresses a gzip body.
     *
     * @param maxDecompressed the cap on the output; 0 or less = none
     * @throws RequestBodyTooLargeException when the output would be larger than {@code maxDecompressed}
     * @throws InvalidGzipException when {@code gzipped} is not valid gzip
     */
    public static byte[] gunzip(byte[] gzipped, long maxDecompressed) {
        GZIPInputStream in;
        try {
            in = new GZIPInputStream(new ByteArrayInputStream(gzipped), CHUNK);
        } catch (IOException e) {
            throw new InvalidGzipException(InvalidGzipException.INVALID_HEADER, e);
        }
        try (in) {
            return read(in, maxDecompressed);
        } catch (EOFException e) {
            throw new InvalidGzipException(InvalidGzipException.UNEXPECTED_EOF, e);
        } catch (ZipException e) {
            String message = String.valueOf(e.getMessage());
            throw new InvalidGzipException(
                    message.contains("GZIP trailer")
                            ? InvalidGzipException.INVALID_CHECKSUM
                            : message.contains("GZIP") || message.contains("compression method")
                                    ? InvalidGzipException.INVALID_HEADER
                                    : InvalidGzipException.CORRUPT_INPUT,
                    e);
        } catch (IOException e) {
            // Nothing but the in-memory input is read, so this cannot be a network problem.
            throw new UncheckedIOException(e);
        }
    }
}
