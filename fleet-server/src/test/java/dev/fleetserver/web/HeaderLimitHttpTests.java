package dev.fleetserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.health.HealthState;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.TestConfigs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code max_header_byte_size} at its exact boundary, over a raw socket: the request line and headers up to the
 * limit are accepted, one byte more is refused with 431. The agent listener reads the socket in small pieces
 * (ConnectionTrackingProtocol), which must not move the boundary; the limit is not a multiple of that size.
 */
class HeaderLimitHttpTests {

    private static final int LIMIT = 5000;

    @TempDir
    static Path data;

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestConfigs.embedded(data, """
                      limits:
                        max_header_byte_size: %d
                """.formatted(LIMIT)))
                .awaitState(HealthState.HEALTHY, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void headersOfExactlyTheLimitAreAccepted() throws IOException {
        assertThat(statusLineFor(LIMIT)).startsWith("HTTP/1.1 200");
    }

    @Test
    void headersOneByteOverTheLimitAreRefused() throws IOException {
        assertThat(statusLineFor(LIMIT + 1)).startsWith("HTTP/1.1 431");
    }

    /** The status line answering a GET whose request line and headers (with the blank line) are this long. */
    private static String statusLineFor(int headerBytes) throws IOException {
        String head = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Pad: ";
        String tail = "\r\n\r\n";
        String request = head + "p".repeat(headerBytes - head.length() - tail.length()) + tail;
        assertThat(request.length()).isEqualTo(headerBytes);
        try (Socket socket =
                new Socket(server.agentUri().getHost(), server.agentUri().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            return String.valueOf(in.readLine());
        }
    }
}
