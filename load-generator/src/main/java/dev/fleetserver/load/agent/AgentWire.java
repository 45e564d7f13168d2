package dev.fleetserver.load.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Elastic Agent puts on the wire (agent-behavior §1–§4): request targets with the trailing {@code ?}, the
 * headers of every Fleet request, the enroll and checkin bodies and the ack events. Stateless; the agent's
 * state is passed in.
 */
final class AgentWire {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String API_VERSION = "2023-06-01";

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private AgentWire() {}

    /**
     * A request as Go writes it: request line with the {@code ?} the agent always appends (§1.1), {@code Host},
     * the agent's headers (§1.2) with a fresh ULID request id, then the body.
     *
     * @param authorization {@code ApiKey <key>}
     * @param gzipped adds {@code Content-Encoding: gzip} (checkins only)
     */
    static byte[] request(
            String method,
            String apiPath,
            String host,
            String version,
            String authorization,
            byte[] body,
            boolean gzipped) {
        StringBuilder head = new StringBuilder(512);
        head.append(method).append(' ').append(apiPath).append("? HTTP/1.1\r\n");
        head.append("Host: ").append(host).append("\r\n");
        head.append("User-Agent: Elastic Agent v").append(version).append("\r\n");
        head.append("Content-Length: ").append(body.length).append("\r\n");
        head.append("Accept: application/json\r\n");
        head.append("Accept-Encoding: gzip\r\n");
        head.append("Authorization: ").append(authorization).append("\r\n");
        if (gzipped) {
            head.append("Content-Encoding: gzip\r\n");
        }
        head.append("Content-Type: application/json\r\n");
        head.append("Elastic-Api-Version: ").append(API_VERSION).append("\r\n");
        head.append("Kbn-Xsrf: 1\r\n");
        head.append("X-Request-Id: ").append(requestId()).append("\r\n\r\n");
        byte[] headBytes = HttpConnection.ascii(head.toString());
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    /** The enroll body (§2.2): {@code id} and {@code replace_token} empty, {@code tags} null. */
    static byte[] enrollBody(AgentIdentity identity, String version, String enrollmentId) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "PERMANENT");
        body.put("id", "");
        body.put("replace_token", "");
        if (enrollmentId != null) {
            body.put("enrollment_id", enrollmentId);
        }
        ObjectNode metadata = body.putObject("metadata");
        metadata.set("local", localMetadata(identity, identity.localId(), version));
        metadata.putObject("user_provided");
        metadata.putNull("tags");
        return JSON.writeValueAsBytes(body);
    }

    /**
     * The checkin body (§3.2), gzip-compressed as the agent sends it by default. Components are {@code []} until
     * a POLICY_CHANGE has been applied, then one healthy component.
     */
    static byte[] checkinBody(
            AgentIdentity identity, String agentId, String version, String ackToken, String policyId, long revision) {
        ObjectNode body = JSON.createObjectNode();
        body.put("status", "online");
        if (ackToken != null && !ackToken.isEmpty()) {
            body.put("ack_token", ackToken);
        }
        body.set("local_metadata", localMetadata(identity, agentId, version));
        body.put("message", "Running");
        body.set("components", policyId == null ? JSON.createArrayNode() : healthyComponents());
        if (policyId != null) {
            body.put("agent_policy_id", policyId);
        }
        if (revision != 0) {
            body.put("policy_revision_idx", revision);
        }
        body.putObject("upgrade");
        return gzip(JSON.writeValueAsBytes(body));
    }

    /** The ack event for an action (§4.1); {@code error} only for a failed execution. */
    static ObjectNode ackEvent(JsonNode action, String agentId, String error) {
        String id = action.path("id").asString("");
        String type = action.path("type").asString("");
        ObjectNode event = JSON.createObjectNode();
        event.put("action_id", id);
        event.put("agent_id", agentId);
        event.put("message", "Action " + goQuote(id) + " of type " + goQuote(type) + " acknowledged.");
        event.put("subtype", "ACKNOWLEDGED");
        event.put("timestamp", goTimestamp(OffsetDateTime.now()));
        event.put("type", "ACTION_RESULT");
        if ("INPUT_ACTION".equals(type)) {
            String inputType = action.path("input_type").asString("");
            String now = goTimestamp(OffsetDateTime.now());
            event.put("action_input_type", inputType);
            event.set("action_data", action.has("data") ? action.get("data") : JSON.nullNode());
            ObjectNode response = JSON.createObjectNode();
            response.putObject(inputType).put("count", 1);
            event.set("action_response", error == null ? response : JSON.nullNode());
            event.put("started_at", now);
            event.put("completed_at", now);
        }
        if (error != null) {
            event.put("error", error);
        }
        return event;
    }

    static byte[] ackBody(java.util.List<ObjectNode> events) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("events");
        events.forEach(list::add);
        return JSON.writeValueAsBytes(body);
    }

    private static ObjectNode localMetadata(AgentIdentity identity, String agentId, String version) {
        ObjectNode local = JSON.createObjectNode();
        ObjectNode agent = local.putObject("elastic").putObject("agent");
        agent.put("id", agentId);
        agent.put("version", version);
        agent.put("snapshot", false);
        agent.put("build.original", version + " (build: 3f2e1d0 at 2026-08-01 10:00:00 +0000 UTC)");
        agent.put("upgradeable", true);
        agent.put("log_level", "info");
        agent.put("complete", false);
        agent.put("unprivileged", false);
        agent.put("fips", false);
        ObjectNode host = local.putObject("host");
        host.put("architecture", "x86_64");
        host.put("hostname", identity.hostname());
        host.put("name", identity.hostname());
        host.put("id", identity.hostId());
        host.putArray("ip").add(identity.ip() + "/24");
        host.putArray("mac").add(identity.mac());
        host.put("memory", 8241631232L);
        ObjectNode os = local.putObject("os");
        os.put("family", "debian");
        os.put("kernel", "6.8.0-45-generic");
        os.put("platform", "ubuntu");
        os.put("version", "24.04.1 LTS (Noble Numbat)");
        os.put("name", "Ubuntu");
        os.put("full", "Ubuntu noble(24.04.1 LTS (Noble Numbat))");
        return local;
    }

    private static ArrayNode healthyComponents() {
        ArrayNode list = JSON.createArrayNode();
        ObjectNode component = list.addObject();
        component.put("id", "filestream-default");
        component.put("type", "filestream");
        component.put("status", "HEALTHY");
        component.put("message", "Healthy: communicating with pid '4411'");
        ArrayNode units = component.putArray("units");
        units.addObject()
                .put("id", "filestream-default-logs")
                .put("type", "input")
                .put("status", "HEALTHY")
                .put("message", "Healthy");
        units.addObject()
                .put("id", "filestream-default")
                .put("type", "output")
                .put("status", "HEALTHY")
                .put("message", "Healthy");
        return list;
    }

    /** Go's {@code time.Time} JSON: RFC 3339 with the fraction's trailing zeros cut, and the local offset. */
    static String goTimestamp(OffsetDateTime time) {
        StringBuilder text = new StringBuilder(SECONDS.format(time));
        int nanos = time.getNano();
        if (nanos != 0) {
            String fraction = String.format(Locale.ROOT, "%09d", nanos).replaceFirst("0+$", "");
            text.append('.').append(fraction);
        }
        int offsetMinutes = time.getOffset().getTotalSeconds() / 60;
        if (offsetMinutes == 0) {
            return text.append('Z').toString();
        }
        int abs = Math.abs(offsetMinutes);
        return text.append(offsetMinutes < 0 ? '-' : '+')
                .append(String.format(Locale.ROOT, "%02d:%02d", abs / 60, abs % 60))
                .toString();
    }

    /** Go's {@code %q} for the plain ids and types that appear in ack messages. */
    static String goQuote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** A ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32 (26 characters). */
    static String requestId() {
        char[] id = new char[26];
        long millis = System.currentTimeMillis();
        for (int i = 9; i >= 0; i--, millis >>>= 5) {
            id[i] = CROCKFORD[(int) (millis & 31)];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 10; i < 26; i++) {
            long bits = i < 18 ? high >>> ((i - 10) * 5) : low >>> ((i - 18) * 5);
            id[i] = CROCKFORD[(int) (bits & 31)];
        }
        return new String(id);
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 32);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The host an agent reports: stable per simulated agent. */
    record AgentIdentity(String localId, String hostname, String hostId, String ip, String mac) {
        static AgentIdentity random(int index) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            byte[] id = new byte[16];
            random.nextBytes(id);
            byte[] mac = new byte[4];
            random.nextBytes(mac);
            return new AgentIdentity(
                    java.util.UUID.randomUUID().toString(),
                    "load-" + index + "-" + HexFormat.of().toHexDigits(random.nextInt()),
                    HexFormat.of().formatHex(id),
                    "10." + (index >> 16 & 255) + "." + (index >> 8 & 255) + "." + (index & 255),
                    "02:42:" + HexFormat.ofDelimiter(":").formatHex(mac));
        }
    }
}
