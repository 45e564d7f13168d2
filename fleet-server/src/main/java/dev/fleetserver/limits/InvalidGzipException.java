package dev.fleetserver.limits;

/**
 * A {@code Content-Encoding: gzip} body that is not valid gzip. The message is what Go's reader says in the same
 * case ({@code gzip: invalid header}, {@code gzip: invalid checksum}, {@code unexpected EOF}, …), since handlers
 * put it into the error they answer with.
 */
public final class InvalidGzipException extends RuntimeException {

    public static final String INVALID_HEADER = "gzip: invalid header";
    public static final String INVALID_CHECKSUM = "gzip: invalid checksum";
    public static final String UNEXPECTED_EOF = "unexpected EOF";
    public static final String CORRUPT_INPUT = "flate: corrupt input";

    public InvalidGzipException(String message, Throwable cause) {
        super(message, cause);
    }
}
