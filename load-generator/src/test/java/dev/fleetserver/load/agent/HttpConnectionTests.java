package dev.fleetserver.load.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The client against a raw socket that records what arrives and answers with the framings a server may use: the
 * request goes out byte for byte from the bound source address, and one connection carries several exchanges.
 */
class HttpConnectionTests {

    @Test
    void sendsFromTheSourceAddressAndReadsLengthChunkedAndGzipBodiesOnOneConnection() throws Exception {
        List<String> requests = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> serve(server, requests));
            try (HttpConnection connection = HttpConnection.open(
                    new InetSocketAddress("127.0.0.1", server.getLocalPort()),
                    InetAddress.getByName("127.0.0.2"),
                    5_000)) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                HttpConnection.Response plain = connection.exchange(request("/a?"), deadline);
                HttpConnection.Response chunked = connection.exchange(request("/b?"), deadline);
                HttpConnection.Response gzipped = connection.exchange(request("/c?"), deadline);

                assertThat(plain.status()).isEqualTo(200);
                assertThat(new String(plain.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
                assertThat(new String(chunked.body(), StandardCharsets.UTF_8)).isEqualTo("chunked body");
                assertThat(gzipped.status()).isEqualTo(429);
                assertThat(new String(gzipped.body(), StandardCharsets.UTF_8)).isEqualTo("{\"x\":1}");
            }
            assertThat(peer.get()).isEqualTo("/127.0.0.2");
        }
        assertThat(requests).containsExactly("GET /a? HTTP/1.1", "GET /b? HTTP/1.1", "GET /c? HTTP/1.1");
    }

    private static byte[] request(String target) {
        return HttpConnection.ascii("GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n");
    }

    /** Answers three requests on one connection; returns the client's address. */
    private static String serve(ServerSocket server, List<String> requests) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] gzipped = AgentWire.gzip("{\"x\":1}".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 3; i++) {
                requests.add(readHead(in));
                switch (i) {
                    case 0 -> out.write(HttpConnection.ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
                    case 1 ->
                        out.write(
                                HttpConnection.ascii(
                                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nchunked\r\n5\r\n body\r\n0\r\n\r\n"));
                    default -> {
                        out.write(HttpConnection.ascii("HTTP/1.1 429 Too Many Requests\r\nContent-Encoding: gzip\r\n"
                                + "Content-Length: " + gzipped.length + "\r\n\r\n"));
                        out.write(gzipped);
                    }
                }
                out.flush();
            }
            return socket.getInetAddress().toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The request line; the rest of the head is read and dropped. */
    private static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            head.write(in.read());
        }
        return head.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElseThrow();
    }
}
