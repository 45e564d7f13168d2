package dev.fleetserver.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * A TCP proxy in front of a real service that a test can cut off and restore, to make a dependency
 * unreachable without stopping it. With an {@link SSLContext} it terminates TLS, so a plain-HTTP service can
 * be reached over HTTPS.
 */
public final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final SSLContext tls;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
    private volatile ServerSocket server;

    private TcpProxy(InetSocketAddress target, SSLContext tls) throws IOException {
        this.target = target;
        this.tls = tls;
        ServerSocket first = bind(0);
        this.port = first.getLocalPort();
        accept(first);
    }

    /** A plain TCP proxy to {@code host:port}. */
    public static TcpProxy to(String host, int port) throws IOException {
        return new TcpProxy(new InetSocketAddress(host, port), null);
    }

    /** A proxy that speaks TLS to its clients and plain TCP to the target. */
    public static TcpProxy tlsTo(String host, int port, SSLContext tls) throws IOException {
        return new TcpProxy(new InetSocketAddress(host, port), tls);
    }

    public int port() {
        return port;
    }

    /** Closes every connection and refuses new ones (connection refused), like a dead node. */
    public synchronized void cut() throws IOException {
        ServerSocket current = server;
        server = null;
        if (current != null) {
            current.close();
        }
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    /** Accepts connections again on the same port. */
    public synchronized void restore() throws IOException {
        if (server == null) {
            accept(bind(port));
        }
    }

    private ServerSocket bind(int bindPort) throws IOException {
        ServerSocket socket =
                tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), bindPort), 128);
        return socket;
    }

    private void accept(ServerSocket listening) {
        server = listening;
        Thread.ofVirtual().start(() -> {
            while (!listening.isClosed()) {
                try {
                    Socket client = listening.accept();
                    Socket upstream = new Socket(target.getAddress(), target.getPort());
                    sockets.add(client);
                    sockets.add(upstream);
                    pipe(client, upstream, true);
                    pipe(upstream, client, false);
                } catch (IOException e) {
                    // closed by cut() or close(); the loop condition ends it
                }
            }
        });
    }

    /** Everything clients sent through the proxy so far (for checking request headers). */
    public String received() {
        synchronized (received) {
            return received.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private void pipe(Socket from, Socket to, boolean record) {
        Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (record) {
                        synchronized (received) {
                            received.write(buffer, 0, n);
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        });
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        cut();
    }
}
