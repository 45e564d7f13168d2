package dev.fleetserver.web;

import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's NIO HTTP/1.1 protocol with an endpoint that reports each accepted and each closed connection, for
 * upstream's {@code http_server.tcp_*} metrics, and that can close connections beyond a cap at accept time,
 * before any TLS handshake. Tomcat creates protocols by class name, so the listener and the cap are attached
 * afterwards by connector customizers.
 */
public class ConnectionTrackingProtocol extends Http11NioProtocol {

    /**
     * Bytes read from the socket at a time (Tomcat's {@code socket.appReadBufSize}, default 8 KiB). Agents send a
     * few hundred bytes of headers and small gzip bodies; a larger body just takes more reads.
     */
    static final int SOCKET_READ_BUFFER = 1024;

    /**
     * Bytes written to the socket at a time ({@code socket.appWriteBufSize}, default 8 KiB). A large policy is
     * still written in full, in more writes.
     */
    static final int SOCKET_WRITE_BUFFER = 2048;

    /**
     * Trailer bytes a chunked request may carry ({@code maxTrailerSize}, default 8 KiB). Agents send none, but
     * Tomcat allocates the whole limit for every connection up front.
     */
    static final int MAX_TRAILER_SIZE = 1024;

    /**
     * The servlet response buffer (Tomcat's default 8 KiB, plus a char buffer of as many chars). 2 KiB is where
     * upstream's Go server stops buffering and switches to chunked encoding, so responses of our own that set no
     * length get a Content-Length at the same sizes as upstream's.
     */
    static final int RESPONSE_BUFFER = 2048;

    // Every held long poll keeps its connection's and its request's buffers until it is answered, so their sizes
    // are the bulk of what a waiting agent costs (P1 in BENCHMARKS.md). The request header buffer is left at the
    // configured max_header_byte_size: Tomcat enforces that limit with the buffer's size.
    public ConnectionTrackingProtocol() {
        super(new TrackingEndpoint());
        getEndpoint().getSocketProperties().setAppReadBufSize(SOCKET_READ_BUFFER);
        getEndpoint().getSocketProperties().setAppWriteBufSize(SOCKET_WRITE_BUFFER);
        setMaxTrailerSize(MAX_TRAILER_SIZE);
    }

    /** Tomcat sizes each request's servlet response buffer with this. */
    @Override
    public int getDesiredBufferSize() {
        return RESPONSE_BUFFER;
    }

    public void setConnectionListener(ConnectionListener listener) {
        ((TrackingEndpoint) getEndpoint()).listener = listener;
    }

    /** Connections accepted while this many are open are closed at once; 0 = no cap. */
    public void setMaxOpenConnections(long max) {
        ((TrackingEndpoint) getEndpoint()).maxOpen = max;
        // Tomcat stops accepting at its own connection limit; it must let one more in than the cap, or the
        // surplus would wait in the backlog instead of being closed. Tomcat only counts connections while it
        // has a limit of its own, so "unlimited" (-1) is no option here either.
        if (max > 0) {
            setMaxConnections((int) Math.min(Integer.MAX_VALUE, max + 1));
        }
    }

    /** The connections open right now (a copy). */
    Set<SocketWrapperBase<NioChannel>> openConnections() {
        return ((TrackingEndpoint) getEndpoint()).getConnections();
    }

    private static final class TrackingEndpoint extends NioEndpoint {

        private static final Logger log = LoggerFactory.getLogger(ConnectionTrackingProtocol.class);
        private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

        private volatile ConnectionListener listener = ConnectionListener.NONE;
        private volatile long maxOpen;
        private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

        @Override
        protected boolean setSocketOptions(SocketChannel socket) {
            listener.opened();
            long cap = maxOpen;
            // Tomcat has already counted this socket among the open connections.
            if (cap > 0 && getConnectionCount() > cap) {
                warnAtMostEvery10Seconds();
                // As Tomcat does for a socket it could not set up: count it down (reported closed) and close it.
                destroySocket(socket);
                return false;
            }
            return super.setSocketOptions(socket);
        }

        @Override
        protected long countDownConnection() {
            listener.closed();
            return super.countDownConnection();
        }

        /** A flood of connections must not become a flood of log lines. */
        private void warnAtMostEvery10Seconds() {
            long now = System.nanoTime();
            long last = lastWarning.get();
            if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                log.warn("Connection closed due to max limit (max open connections {})", maxOpen);
            }
        }
    }
}
