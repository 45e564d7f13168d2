package dev.fleetserver.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testsupport.Http;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Conformance plumbing: one answer type for every client, a byte-exact HTTP/1.1 client for requests no well-behaved
 * client sends (repeated headers, no {@code User-Agent}, odd methods, broken bodies), and the assertions on Fleet's
 * error JSON (agent-api §6.1).
 */
final class Wire {

    private Wire() {}

    /** The agent's own headers (agent-behavior §1.2) for a given User-Agent, without Authorization. */
    static List<String[]> agentHeaders(String userAgent) {
        List<String[]> headers = new ArrayList<>();
        if (userAgent != null) {
            headers.add(new String[] {"User-Agent", userAgent});
        }
        headers.add(new String[] {"Elastic-Api-Version", "2023-06-01"});
        headers.add(new String[] {"Content-Type", "application/json"});
        headers.add(new String[] {"Accept", "application/json"});
        headers.add(new String[] {"Kbn-Xsrf", "1"});
        return headers;
    }

    /** A response as read off the wire. */
    record Answer(int status, Map<String, List<String>> headers, String body) {

        static Answer of(HttpResponse<String> response) {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(response.headers().map());
            return new Answer(response.statusCode(), headers, response.body());
        }

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        JsonNode json() {
            try {
                return Http.JSON.readTree(body);
            } catch (JacksonException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        String message() {
            return json().path("message").asString();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /**
     * Sends exactly this request over a new connection ({@code Host}, {@code Content-Length} and
     * {@code Connection: close} are added) and reads the answer. A body the server stopped reading is not an
     * error: the answer it sent is still read.
     */
    static Answer raw(URI server, String method, String target, List<String[]> headers, byte[] body) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5000);
            socket.setSoTimeout(90_000);
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            head.append("Host: ")
                    .append(server.getHost())
                    .append(':')
                    .append(server.getPort())
                    .append("\r\n");
            for (String[] header : headers) {
                head.append(header[0]).append(": ").append(header[1]).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (IOException serverStoppedReading) {
                // the server may answer and close before it has read everything: read what it said
            }
            InputStream in = new BufferedInputStream(socket.getInputStream());
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
            List<String> encoding = responseHeaders.get("Content-Encoding");
            if (encoding != null && encoding.contains("gzip") && raw.length > 0) {
                try (InputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                    raw = gunzip.readAllBytes();
                }
            }
            return new Answer(status, responseHeaders, new String(raw, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + target + " failed: " + e, e);
        }
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
        return headers;
    }

    private static byte[] readBody(InputStream in, String method, int status, Map<String, List<String>> headers)
            throws IOException {
        if (method.equals("HEAD") || status == 204 || status == 304) {
            return new byte[0];
        }
        List<String> transferEncoding = headers.get("Transfer-Encoding");
        if (transferEncoding != null
                && String.join(",", transferEncoding).toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in);
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
                if (size == 0) {
                    readHeaders(in);
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        }
        List<String> length = headers.get("Content-Length");
        if (length != null) {
            return in.readNBytes(Integer.parseInt(length.getFirst().trim()));
        }
        return in.readAllBytes();
    }

    // ---------------------------------------------------------------- bodies and tokens

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(utf8(text));
    }

    static byte[] gzip(byte[] body) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(compressed)) {
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return compressed.toByteArray();
    }

    // ---------------------------------------------------------------- assertions

    /** Fleet's error JSON (§6.1): exactly statusCode/error/message, content type, nosniff, no stack trace. */
    static void assertFleetError(Answer answer, int status, String error) {
        assertThat(answer.status()).as("status of %s", answer).isEqualTo(status);
        assertFleetErrorShape(answer);
        assertThat(answer.json().path("error").asString())
                .as("error label of %s", answer)
                .isEqualTo(error);
    }

    static void assertFleetError(Answer answer, int status, String error, String message) {
        assertFleetError(answer, status, error);
        assertThat(answer.message()).as("message of %s", answer).isEqualTo(message);
    }

    /** The generic 500 of Quirk Q1: label {@code BadRequest} upstream, {@code InternalServerError} allowed. */
    static void assertGeneric500(Answer answer) {
        assertThat(answer.status()).as("status of %s", answer).isEqualTo(500);
        assertFleetErrorShape(answer);
        assertThat(answer.json().path("error").asString())
                .as("error label of %s", answer)
                .isIn("BadRequest", "InternalServerError");
    }

    static void assertFleetErrorShape(Answer answer) {
        assertNoStackTrace(answer);
        JsonNode body = answer.json();
        assertThat(body.isObject()).as("error body of %s", answer).isTrue();
        assertThat(body.propertyNames())
                .as("keys of %s", answer)
                .containsExactlyInAnyOrder("statusCode", "error", "message");
        assertThat(body.path("statusCode").isInt())
                .as("statusCode is an int in %s", answer)
                .isTrue();
        assertThat(body.path("statusCode").asInt())
                .as("statusCode of %s", answer)
                .isEqualTo(answer.status());
        assertThat(body.path("error").isString())
                .as("error is a string in %s", answer)
                .isTrue();
        assertThat(body.path("message").isString())
                .as("message is a string in %s", answer)
                .isTrue();
        assertThat(answer.header("Content-Type"))
                .as("Content-Type of %s", answer)
                .isNotNull()
                .satisfies(type -> assertThat(type.replace(" ", "").toLowerCase(Locale.ROOT))
                        .isEqualTo("application/json;charset=utf-8"));
        assertThat(answer.header("X-Content-Type-Options"))
                .as("X-Content-Type-Options of %s", answer)
                .isEqualTo("nosniff");
    }

    static void assertNoStackTrace(Answer answer) {
        assertThat(answer.body())
                .as("body of %s", answer)
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("at java.")
                .doesNotContain("at dev.fleetserver");
    }
}
