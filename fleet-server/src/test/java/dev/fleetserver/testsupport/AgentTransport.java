package dev.fleetserver.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * The HTTP/1.1 client under {@link SimulatedAgent}: one request per connection, written byte for byte.
 *
 * <p>Not {@code java.net.http.HttpClient}: that client drops an empty query, so it cannot send the request
 * target {@code /api/fleet/agents/<id>/checkin?} that Elastic Agent sends (agent-behavior §1.1). Nor
 * {@code HttpURLConnection}: it adds its own headers and turns a 401 to a streamed POST into an exception. This
 * one sends exactly the headers it is given (plus {@code Host} and {@code Content-Length}), reads
 * {@code Content-Length}, chunked and close-delimited bodies, gunzips a {@code Content-Encoding: gzip} body, and
 * applies one whole-request deadline, as the agent's Go client does.
 */
final class AgentTransport {

    private final SSLContext tls;

    AgentTransport(SSLContext tls) {
        this.tls = tls;
    }

    /** One exchange in flight; {@link #abort()} drops its connection, as an agent abandoning a long poll does. */
    static final class Call {
        private volatile Socket socket;
        private volatile boolean aborted;

        void abort() {
            aborted = true;
            Socket current = socket;
            if (current != null) {
                try {
                    current.close();
                } catch (IOException ignored) {
                    // closing is all we want
                }
            }
        }

        boolean aborted() {
            return aborted;
        }

        private void attach(Socket attached) throws IOException {
            socket = attached;
            if (aborted) {
                attached.close();
                throw new CancellationException("request abandoned");
            }
        }
    }

    /**
     * Sends one request and reads the whole response.
     *
     * @param headers name/value pairs in order; {@code Host} and {@code Content-Length} are added here
     * @param body {@code null} for no body (and no {@code Content-Length})
     * @throws UncheckedIOException on a transport error, {@link CancellationException} when aborted
     */
    HttpResponse<String> exchange(
            String method, URI uri, List<String[]> headers, byte[] body, Duration timeout, Call call) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean https = scheme.equals("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        String host = uri.getHost();
        String authority = uri.getRawAuthority();
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        // An empty query stays a bare "?", which is the point of this class.
        String target = path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());

        try (Socket socket = new Socket()) {
            call.attach(socket);
            socket.connect(new InetSocketAddress(host, port), remainingMillis(deadline));
            Socket wire = socket;
            SSLSession session = null;
            if (https) {
                if (tls == null) {
                    throw new IllegalStateException("https needs an SSLContext: SimulatedAgent.tls(...)");
                }
                SSLSocket secured = (SSLSocket) tls.getSocketFactory().createSocket(socket, host, port, true);
                SSLParameters parameters = secured.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secured.setSSLParameters(parameters);
                call.attach(secured);
                secured.setSoTimeout(remainingMillis(deadline));
                secured.startHandshake();
                session = secured.getSession();
                wire = secured;
            }

            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            head.append("Host: ").append(authority).append("\r\n");
            for (String[] header : headers) {
                head.append(header[0]).append(": ").append(header[1]).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = wire.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();

            InputStream in = new BufferedInputStream(new DeadlineInputStream(wire, deadline));
            int status;
            Map<String, List<String>> responseHeaders;
            do {
                String statusLine = readLine(in);
                String[] parts = statusLine.split(" ", 3);
                if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                    throw new IOException("not an HTTP status line: " + statusLine);
                }
                status = Integer.parseInt(parts[1]);
                responseHeaders = readHeaders(in);
            } while (status >= 100 && status < 200);

            byte[] raw = readBody(in, method, status, responseHeaders);
            String encoding = first(responseHeaders, "Content-Encoding");
            if (encoding != null && encoding.trim().equalsIgnoreCase("gzip") && raw.length > 0) {
                try (InputStream gunzip = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                    raw = gunzip.readAllBytes();
                }
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String[] header : headers) {
                try {
                    request.header(header[0], header[1]);
                } catch (IllegalArgumentException restrictedOrMalformed) {
                    // sent anyway; the HttpRequest copy is only a record of the exchange
                }
            }
            return new Response(
                    status,
                    request.build(),
                    HttpHeaders.of(responseHeaders, (name, value) -> true),
                    new String(raw, StandardCharsets.UTF_8),
                    uri,
                    Optional.ofNullable(session));
        } catch (SocketTimeoutException e) {
            throw new UncheckedIOException(new HttpTimeoutException("request timed out after " + timeout));
        } catch (IOException e) {
            if (call.aborted()) {
                throw new CancellationException("request abandoned");
            }
            throw new UncheckedIOException(method + " " + uri + " failed: " + e, e);
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, remaining);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    throw new IOException("connection closed before a response line");
                }
                break;
            }
            if (b == '\n') {
                break;
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static Map<String, List<String>> readHeaders(InputStream in) throws IOException {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            headers.computeIfAbsent(line.substring(0, colon).trim(), name -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        // HttpHeaders.of wants a plain map; keep the first spelling of each name.
        return new LinkedHashMap<>(headers);
    }

    private static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                return entry.getValue().get(0);
            }
        }
        return null;
    }

    private static byte[] readBody(InputStream in, String method, int status, Map<String, List<String>> headers)
            throws IOException {
        if (method.equals("HEAD") || status == 204 || status == 304) {
            return new byte[0];
        }
        String transferEncoding = first(headers, "Transfer-Encoding");
        if (transferEncoding != null
                && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in);
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
                if (size == 0) {
                    readHeaders(in); // trailers
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        }
        String length = first(headers, "Content-Length");
        if (length != null) {
            int expected = Integer.parseInt(length.trim());
            byte[] body = in.readNBytes(expected);
            if (body.length != expected) {
                throw new IOException("connection closed after " + body.length + " of " + expected + " bytes");
            }
            return body;
        }
        return in.readAllBytes();
    }

    /** Re-arms the socket timeout before every read so the whole exchange ends by the deadline. */
    private static final class DeadlineInputStream extends FilterInputStream {
        private final Socket socket;
        private final long deadline;

        DeadlineInputStream(Socket socket, long deadline) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            return super.read(b, off, len);
        }
    }

    private record Response(
            int statusCode,
            HttpRequest request,
            HttpHeaders headers,
            String body,
            URI uri,
            Optional<SSLSession> sslSession)
            implements HttpResponse<String> {

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }

        @Override
        public String toString() {
            return "(" + request.method() + " " + uri + ") " + statusCode;
        }
    }
}
