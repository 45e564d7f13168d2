package dev.fleetserver.web;

import jakarta.servlet.ServletException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.CharBuffer;
import org.apache.catalina.connector.InputBuffer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each Tomcat request a small char buffer for {@code getReader()} instead of Tomcat's fixed 8,192 chars
 * (16 KiB). Nothing here reads a body as chars (bodies are read as bytes), yet every held long poll keeps its
 * request's buffer for minutes: 16 KiB of the ~65 KiB a waiting agent cost (P1). Tomcat has no setting for this
 * buffer, so the valve swaps it, once per request object and only while it is empty; Tomcat keeps the smaller
 * buffer when it recycles the request, and grows it again if a reader ever needs more ({@code mark}). The swap
 * reaches two private fields; when a Tomcat upgrade renames them the valve logs once and does nothing (only
 * memory is lost), and {@code ReaderBufferValveTests} fails.
 */
final class ReaderBufferValve extends ValveBase {

    /** Chars of the reader buffer: a reader still works, converting in chunks of this size. */
    static final int READER_BUFFER_CHARS = 512;

    private static final Logger log = LoggerFactory.getLogger(ReaderBufferValve.class);
    private static final @Nullable VarHandle REQUEST_INPUT = handle(Request.class, "inputBuffer", InputBuffer.class);
    private static final @Nullable VarHandle INPUT_CHARS = handle(InputBuffer.class, "cb", CharBuffer.class);

    ReaderBufferValve() {
        super(true);
    }

    /** Whether this Tomcat has the fields the valve swaps. */
    static boolean supported() {
        return REQUEST_INPUT != null && INPUT_CHARS != null;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        shrink(request);
        getNext().invoke(request, response);
    }

    static void shrink(Request request) {
        if (REQUEST_INPUT == null || INPUT_CHARS == null) {
            return;
        }
        InputBuffer input = (InputBuffer) REQUEST_INPUT.get(request);
        CharBuffer chars = (CharBuffer) INPUT_CHARS.get(input);
        // Empty (limit 0) means no char has been read into it for this request.
        if (chars.capacity() > READER_BUFFER_CHARS && chars.limit() == 0) {
            INPUT_CHARS.set(input, CharBuffer.allocate(READER_BUFFER_CHARS).limit(0));
        }
    }

    /** The capacity of a request's reader buffer (for tests). */
    static int readerBufferCapacity(Request request) {
        if (REQUEST_INPUT == null || INPUT_CHARS == null) {
            return -1;
        }
        return ((CharBuffer) INPUT_CHARS.get((InputBuffer) REQUEST_INPUT.get(request))).capacity();
    }

    private static @Nullable VarHandle handle(Class<?> owner, String field, Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, field, type);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn(
                    "Tomcat's {}.{} was not found; requests keep Tomcat's 16 KiB reader buffer ({})",
                    owner.getSimpleName(),
                    field,
                    e.toString());
            return null;
        }
    }
}
