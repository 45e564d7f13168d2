package dev.fleetserver.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices agents that hang up while their long poll is held. The servlet API reports no disconnect while a
 * request waits asynchronously without I/O, yet an abandoned poll must stop refreshing the agent's
 * {@code last_checkin} and count as dropped, as upstream's cancelled request context does. So every second the
 * held connections are probed with a non-blocking read of their socket: an end of stream, a reset, or bytes
 * where a waiting HTTP/1.1 client sends none (a TLS close_notify) mean the client is gone.
 *
 * <p>A probe only runs while its request is still held: {@link Watch#end()} takes the same lock, and the
 * response is only written after it, so a probe can never read the start of the client's next request.
 */
public final class ClientDisconnects implements AutoCloseable {

    /** Request attribute set on a request whose client went away while it was held. */
    public static final String CLIENT_GONE = ClientDisconnects.class.getName() + ".gone";

    private static final Logger log = LoggerFactory.getLogger(ClientDisconnects.class);

    private final List<ConnectionTrackingProtocol> protocols = new CopyOnWriteArrayList<>();
    private final Map<ConnectionKey, HeldRequest> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService probes;
    private final ByteBuffer scratch = ByteBuffer.allocate(256);

    public ClientDisconnects(Duration interval) {
        probes = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("client-disconnects").daemon().factory());
        probes.scheduleWithFixedDelay(
                this::probeSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void register(ConnectionTrackingProtocol protocol) {
        protocols.add(protocol);
    }

    /**
     * Starts watching a held request whose body has been read in full. {@code onGone} runs at most once, on
     * the probe thread, unless {@link Watch#end()} came first.
     */
    public Watch watch(HttpServletRequest request, Runnable onGone) {
        var key = new ConnectionKey(request.getLocalPort(), request.getRemoteAddr(), request.getRemotePort());
        var watch = new HeldRequest(key, request, onGone);
        held.put(key, watch);
        return watch;
    }

    private void probeSafely() {
        try {
            probe();
        } catch (RuntimeException e) {
            log.warn("Probing held connections failed", e);
        }
    }

    private void probe() {
        if (held.isEmpty()) {
            return;
        }
        Map<ConnectionKey, SocketWrapperBase<?>> open = new HashMap<>();
        for (ConnectionTrackingProtocol protocol : protocols) {
            for (SocketWrapperBase<?> connection : protocol.openConnections()) {
                open.put(
                        new ConnectionKey(
                                connection.getLocalPort(), connection.getRemoteAddr(), connection.getRemotePort()),
                        connection);
            }
        }
        for (HeldRequest watch : held.values()) {
            SocketWrapperBase<?> connection = open.get(watch.key);
            if (watch.clientGone(connection)) {
                watch.gone();
            }
        }
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }

    /** A held request being watched. */
    public interface Watch {
        /** Stops watching; call before answering. False if the client was already found gone. */
        boolean end();
    }

    private record ConnectionKey(int localPort, String remoteAddr, int remotePort) {}

    private final class HeldRequest implements Watch {

        private final ConnectionKey key;
        private final HttpServletRequest request;
        private final Runnable onGone;
        private boolean ended;
        private boolean gone;

        HeldRequest(ConnectionKey key, HttpServletRequest request, Runnable onGone) {
            this.key = key;
            this.request = request;
            this.onGone = onGone;
        }

        @Override
        public synchronized boolean end() {
            if (!ended) {
                ended = true;
                held.remove(key, this);
            }
            return !gone;
        }

        /** A connection Tomcat no longer lists has been closed. */
        synchronized boolean clientGone(SocketWrapperBase<?> connection) {
            if (ended) {
                return false;
            }
            if (connection == null || !(connection.getSocket() instanceof NioChannel channel)) {
                gone = connection == null;
            } else {
                gone = hungUp(channel.getIOChannel());
            }
            if (gone) {
                ended = true;
                held.remove(key, this);
                request.setAttribute(CLIENT_GONE, Boolean.TRUE);
            }
            return gone;
        }

        void gone() {
            try {
                onGone.run();
            } catch (RuntimeException e) {
                log.warn("Ending a request whose client went away failed", e);
            }
        }
    }

    /** Runs on the probe thread only. */
    private boolean hungUp(SocketChannel channel) {
        if (channel.isBlocking()) {
            return false; // never expected from Tomcat's NIO endpoint; a blocking read would stall every probe
        }
        try {
            scratch.clear();
            return channel.read(scratch) != 0;
        } catch (IOException e) {
            return true;
        }
    }
}
