package dev.fleetserver.load.agent;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * One HTTP/1.1 keep-alive connection, as Go's transport keeps one per agent and host. Blocking I/O on purpose:
 * every agent runs on a virtual thread, so a held long poll parks its thread cheaply instead of holding a
 * platform thread.
 *
 * <p>Not {@code java.net.http.HttpClient}: it drops an empty query, so it cannot send the request target
 * {@code /api/fleet/agents/<id>/checkin?} that Elastic Agent sends, and its pool does not let one agent own one
 * connection. Requests are written as given; responses are read with {@code Content-Length}, chunked or
 * close-delimited bodies, and a {@code Content-Encoding: gzip} body is gunzipped, as Go's transport does.
 */
final class HttpConnection implements Closeable {

    /** Status, whether the server will close the connection, and the (gunzipped) body. */
    record Response(int status, boolean closes, byte[] body) {}

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[2048];
    private int position;
    private int limit;
    private volatile boolean closed;

    private HttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects from {@code local} (port chosen by the kernel), so several loopback sources multiply the ports. */
    static HttpConnection open(InetSocketAddress server, InetAddress local, int connectTimeoutMillis)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true); // as Go's net package does for every TCP connection
            socket.bind(new InetSocketAddress(local, 0));
            socket.connect(server, connectTimeoutMillis);
            return new HttpConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    boolean isOpen() {
        return !closed;
    }

    /**
     * Sends one request (head and body in one write) and reads its response, all before {@code deadlineNanos}.
     * Any failure leaves the connection unusable: the caller closes it.
     */
    Response exchange(byte[] request, long deadlineNanos) throws IOException {
        out.write(request);
        out.flush();
        String statusLine = readLine(deadlineNanos, true);
        int status = parseStatus(statusLine);
        long contentLength = -1;
        boolean chunked = false;
        boolean gzip = false;
        boolean closes = statusLine.startsWith("HTTP/1.0");
        String line;
        while (!(line = readLine(deadlineNanos, false)).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
            } else if (name.equalsIgnoreCase("Content-Encoding")) {
                gzip = value.equalsIgnoreCase("gzip");
            } else if (name.equalsIgnoreCase("Connection")) {
                closes = value.equalsIgnoreCase("close");
            }
        }
        byte[] body;
        if (status == 204 || status == 304 || status / 100 == 1) {
            body = new byte[0];
        } else if (chunked) {
            body = readChunked(deadlineNanos);
        } else if (contentLength >= 0) {
            body = readExactly((int) contentLength, deadlineNanos);
        } else {
            body = readToEnd(deadlineNanos);
            closes = true;
        }
        if (gzip && body.length > 0) {
            try (InputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(body))) {
                body = gunzip.readAllBytes();
            }
        }
        return new Response(status, closes, body);
    }

    private static int parseStatus(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        return Integer.parseInt(parts[1]);
    }

    private boolean fill(long deadlineNanos) throws IOException {
        long remaining = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) {
            throw new SocketTimeoutException("request deadline passed");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remaining));
        int read = in.read(buffer);
        if (read < 0) {
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }

    private String readLine(long deadlineNanos, boolean first) throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            if (position == limit && !fill(deadlineNanos)) {
                throw new EOFException(
                        first && line.isEmpty() ? "connection closed before a response" : "connection closed mid-line");
            }
            char c = (char) (buffer[position++] & 0xff);
            if (c == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append(c);
        }
    }

    private byte[] readExactly(int length, long deadlineNanos) throws IOException {
        byte[] body = new byte[length];
        int done = 0;
        while (done < length) {
            if (position == limit && !fill(deadlineNanos)) {
                throw new EOFException("connection closed after " + done + " of " + length + " body bytes");
            }
            int n = Math.min(length - done, limit - position);
            System.arraycopy(buffer, position, body, done, n);
            position += n;
            done += n;
        }
        return body;
    }

    private byte[] readChunked(long deadlineNanos) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(deadlineNanos, false);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                while (!readLine(deadlineNanos, false).isEmpty()) {
                    // trailers are not used by the server
                }
                return body.toByteArray();
            }
            body.write(readExactly(size, deadlineNanos));
            readLine(deadlineNanos, false);
        }
    }

    private byte[] readToEnd(long deadlineNanos) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(buffer, position, limit - position);
        position = limit;
        while (fill(deadlineNanos)) {
            body.write(buffer, 0, limit);
            position = limit;
        }
        return body.toByteArray();
    }

    /** Also called from other threads to drop the connection (reconnect storms, shutdown). */
    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do with a socket we are dropping
        }
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
