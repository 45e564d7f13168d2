package dev.fleetserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.connector.InputBuffer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.tomcat.util.net.ApplicationBufferHandler;
import org.junit.jupiter.api.Test;

/**
 * The reader buffer swap against this Tomcat's own request classes: it must find its fields (a Tomcat upgrade
 * that renames them fails here), shrink a fresh request's buffer once, and leave a reader working.
 */
class ReaderBufferValveTests {

    @Test
    void thisTomcatHasTheSwappedFields() {
        assertThat(ReaderBufferValve.supported()).isTrue();
    }

    @Test
    void aFreshRequestGetsTheSmallBufferAndTheNextValveRuns() throws Exception {
        Request request = requestWithBody(new byte[0]);
        assertThat(ReaderBufferValve.readerBufferCapacity(request)).isEqualTo(InputBuffer.DEFAULT_BUFFER_SIZE);
        AtomicInteger passedOn = new AtomicInteger();
        ReaderBufferValve valve = new ReaderBufferValve();
        valve.setNext(new ValveBase() {
            @Override
            public void invoke(Request r, Response response) {
                passedOn.incrementAndGet();
            }
        });

        valve.invoke(request, null);
        valve.invoke(request, null);

        assertThat(ReaderBufferValve.readerBufferCapacity(request)).isEqualTo(ReaderBufferValve.READER_BUFFER_CHARS);
        assertThat(passedOn).hasValue(2);
    }

    @Test
    void aReaderStillReadsABodyLongerThanTheBuffer() throws IOException {
        String body = "é€x".repeat(3000);
        Request request = requestWithBody(body.getBytes(StandardCharsets.UTF_8));
        request.getCoyoteRequest().setCharset(StandardCharsets.UTF_8);
        ReaderBufferValve.shrink(request);
        assertThat(ReaderBufferValve.readerBufferCapacity(request)).isEqualTo(ReaderBufferValve.READER_BUFFER_CHARS);

        StringBuilder read = new StringBuilder();
        try (Reader reader = request.getReader()) {
            char[] chunk = new char[700];
            for (int n; (n = reader.read(chunk)) >= 0; ) {
                read.append(chunk, 0, n);
            }
        }

        assertThat(read.toString()).isEqualTo(body);
    }

    /** A request without a connector whose body comes from memory in 1,000-byte pieces. */
    private static Request requestWithBody(byte[] body) {
        var coyote = new org.apache.coyote.Request();
        coyote.setInputBuffer(new org.apache.coyote.InputBuffer() {
            private int offset;

            @Override
            public int doRead(ApplicationBufferHandler handler) {
                if (offset >= body.length) {
                    return -1;
                }
                int length = Math.min(1000, body.length - offset);
                handler.setByteBuffer(ByteBuffer.wrap(body, offset, length));
                offset += length;
                return length;
            }

            @Override
            public int available() {
                return body.length - offset;
            }
        });
        coyote.setResponse(new org.apache.coyote.Response());
        return new Request(null, coyote);
    }
}
