package dev.fleetserver.limits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An "Elasticsearch" that accepts connections and reads requests but never answers. A request that needs
 * Elasticsearch (such as {@code GET /api/status} with an API key, which is checked there) then stays in flight
 * until this is closed, which lets tests hold requests open over a real socket without test-only handlers.
 */
final class SilentElasticsearch implements AutoCloseable {

    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    SilentElasticsearch() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("silent-elasticsearch").start(this::accept);
    }

    String uri() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread.ofVirtual().start(() -> drain(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads and discards, so that the client's writes never block. */
    private static void drain(Socket socket) {
        try (InputStream in = socket.getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // closed by close()
        }
    }

    /** Drops every connection and refuses new ones: whatever waited for an answer fails now. */
    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
