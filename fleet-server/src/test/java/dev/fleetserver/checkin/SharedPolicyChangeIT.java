package dev.fleetserver.checkin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.health.HealthState;
import dev.fleetserver.policy.PolicyMonitor;
import dev.fleetserver.policy.PolicyRenderer;
import dev.fleetserver.policy.PreparedPolicy;
import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.EmbeddedFleet;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Shared policy-change bytes through a real socket (ADR 12): agents of one revision, each with its own output key
 * minted in the output's cluster (the test node), receive one gzip member spliced from shared deflate segments and
 * their own stored bytes, which a standard gzip reader turns into exactly the tree the per-agent rendering produces
 * for that agent; agents that do not accept gzip get the same JSON uncompressed.
 */
@ExtendWith(NoSecretsInLogs.class)
class SharedPolicyChangeIT {

    private static final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());
    private static final SimulatedKibana cluster = new SimulatedKibana(admin);

    @TempDir
    static Path data;

    private static RunningServer server;
    private static EmbeddedFleet fleet;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestConfigs.embedded(data, TestConfigs.SHORT_POLLS))
                .awaitState(HealthState.HEALTHY, Duration.ofSeconds(30));
        fleet = new EmbeddedFleet(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * An output keyed per agent in its own cluster, one with the policy's own key, logstash and kafka, an OTel
     * exporter writing with the agent's key, and enough inputs for shared gzip members.
     */
    private static String policy() {
        String policyId = "shared-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode data = cluster.defaultPolicyData(policyId);
        ObjectNode outputs = data.withObjectProperty("outputs");
        outputs.withObjectProperty("default").put("service_token", admin.node().serviceToken());
        outputs.putObject("preset")
                .put("type", "elasticsearch")
                .put("api_key", EmbeddedFleet.PRESET_OUTPUT_KEY)
                .putArray("hosts")
                .add(admin.node().httpUri().toString());
        outputs.putObject("ls").put("type", "logstash").putArray("hosts").add("ls.example:5044");
        outputs.putObject("k").put("type", "kafka").putArray("hosts").add("kafka.example:9092");
        data.putObject("exporters").putObject("elasticsearch/default").put("mapping", "otel");
        for (int i = 0; i < 20; i++) {
            ObjectNode input = data.withArray("inputs").addObject();
            input.put("id", "logfile-" + i).put("type", "logfile").put("use_output", i % 2 == 0 ? "default" : "ls");
            input.putArray("streams")
                    .addObject()
                    .put("id", "stream-" + i)
                    .put("exclude_files", "\\.gz$")
                    .putArray("paths")
                    .add("/var/log/app-" + i + "/*.log");
        }
        return fleet.createPolicy(policyId, data);
    }

    @Test
    void everyAgentDecodesTheTreeThePerAgentRenderingGivesIt() throws Exception {
        String policyId = policy();
        String token = fleet.createEnrollmentToken(policyId);
        PreparedPolicy revision =
                server.context().getBean(PolicyMonitor.class).latest(policyId).orElseThrow();
        var ownCluster = server.context().getBean(PolicyRenderer.class).ownClusterOutputs(revision);

        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SimulatedAgent agent = new SimulatedAgent(server.agentUri());
            assertThat(agent.enroll(token).statusCode()).isEqualTo(200);
            SimulatedAgent.Checkin checkin = agent.checkin();
            assertThat(checkin.status()).isEqualTo(200);
            assertThat(checkin.response().headers().firstValue("Content-Encoding"))
                    .hasValue("gzip");

            JsonNode received = checkin.body();
            String key = received.at("/actions/0/data/policy/outputs/default/api_key")
                    .asString();
            keys.add(key);
            Map<String, String> apiKeys = new LinkedHashMap<>();
            apiKeys.put("default", key);
            ObjectNode perAgent = PolicyRenderer.render(agent.agentId(), revision, apiKeys, ownCluster);
            assertThat(received)
                    .isEqualTo(SamplePolicies.JSON.readTree(
                            CheckinResponse.Actions.policyChange(perAgent).toJson()));
            assertThat(received.at("/actions/0/data/policy/exporters/elasticsearch~1default/api_key")
                            .asString())
                    .isEqualTo(java.util.Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)));
            assertThat(received.toString()).doesNotContain(admin.node().serviceToken());
        }
        assertThat(keys).as("each agent its own key").doesNotHaveDuplicates();
    }

    @Test
    void theWireCarriesOneGzipMemberAndWithoutGzipTheSameJson() throws Exception {
        String policyId = policy();
        String token = fleet.createEnrollmentToken(policyId);
        SimulatedAgent gzipAgent = new SimulatedAgent(server.agentUri());
        gzipAgent.enroll(token);
        SimulatedAgent plainAgent = new SimulatedAgent(server.agentUri());
        plainAgent.enroll(token);

        RawAnswer gzipped = rawCheckin(gzipAgent, true);
        RawAnswer plain = rawCheckin(plainAgent, false);

        assertThat(gzipped.status()).isEqualTo(200);
        assertThat(gzipped.headers()).containsEntry("content-encoding", "gzip");
        List<byte[]> members = gunzipMembers(gzipped.body());
        assertThat(members)
                .as("one member: no reader needs multi-member support")
                .hasSize(1);
        byte[] json = members.getFirst();
        assertThat(gzipped.body().length).as("compressed").isLessThan(json.length / 2);
        assertThat(plain.headers()).doesNotContainKey("content-encoding");

        JsonNode viaGzip = SamplePolicies.JSON.readTree(json);
        JsonNode viaPlain = SamplePolicies.JSON.readTree(plain.body());
        assertThat(viaGzip.at("/actions/0/agent_id").asString()).isEqualTo(gzipAgent.agentId());
        assertThat(viaPlain.at("/actions/0/agent_id").asString()).isEqualTo(plainAgent.agentId());
        assertThat(withoutAgentValues(viaGzip)).isEqualTo(withoutAgentValues(viaPlain));
    }

    private static JsonNode withoutAgentValues(JsonNode answer) {
        ObjectNode copy = (ObjectNode) answer.deepCopy();
        ObjectNode action = (ObjectNode) copy.path("actions").get(0);
        action.remove("agent_id");
        ObjectNode policy = (ObjectNode) action.path("data").path("policy");
        ((ObjectNode) policy.path("outputs").path("default")).remove("api_key");
        ((ObjectNode) policy.path("exporters").path("elasticsearch/default")).remove("api_key");
        return copy;
    }

    private record RawAnswer(int status, Map<String, String> headers, byte[] body) {}

    /** One checkin over a plain socket, read byte for byte as sent: no client library in between. */
    private static RawAnswer rawCheckin(SimulatedAgent agent, boolean acceptGzip) throws IOException {
        byte[] body = SamplePolicies.JSON.writeValueAsBytes(agent.checkinBody());
        var uri = server.agentUri();
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            String head = "POST /api/fleet/agents/" + agent.agentId() + "/checkin HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "User-Agent: Elastic Agent v" + agent.version() + "\r\n"
                    + "Authorization: ApiKey " + agent.accessApiKey() + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + (acceptGzip ? "Accept-Encoding: gzip\r\n" : "")
                    + "Content-Length: " + body.length + "\r\n"
                    + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            return parse(socket.getInputStream().readAllBytes());
        }
    }

    private static RawAnswer parse(byte[] response) throws IOException {
        int end = 0;
        while (!(response[end] == '\r'
                && response[end + 1] == '\n'
                && response[end + 2] == '\r'
                && response[end + 3] == '\n')) {
            end++;
        }
        String[] lines = new String(response, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(response, end + 4, response.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            rest = dechunk(rest);
        }
        return new RawAnswer(status, headers, rest);
    }

    private static byte[] dechunk(byte[] chunked) throws IOException {
        var out = new ByteArrayOutputStream();
        InputStream in = new java.io.ByteArrayInputStream(chunked);
        while (true) {
            StringBuilder size = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                size.append((char) c);
            }
            in.read();
            int n = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
            if (n == 0) {
                return out.toByteArray();
            }
            out.write(in.readNBytes(n));
            in.read();
            in.read();
        }
    }

    /** Each member of a gzip stream decoded on its own (RFC 1952: header, deflate data, CRC-32 and size). */
    private static List<byte[]> gunzipMembers(byte[] stream) throws DataFormatException {
        List<byte[]> members = new ArrayList<>();
        int offset = 0;
        while (offset < stream.length) {
            assertThat(stream[offset] & 0xff).isEqualTo(0x1f);
            assertThat(stream[offset + 1] & 0xff).isEqualTo(0x8b);
            assertThat(stream[offset + 3]).as("no optional header fields").isZero();
            Inflater inflater = new Inflater(true);
            inflater.setInput(stream, offset + 10, stream.length - offset - 10);
            var out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new AssertionError("truncated gzip member");
                }
                out.write(buffer, 0, n);
            }
            int trailer = stream.length - inflater.getRemaining();
            inflater.end();
            byte[] data = out.toByteArray();
            var crc = new java.util.zip.CRC32();
            crc.update(data);
            assertThat(littleEndian(stream, trailer)).isEqualTo((int) crc.getValue());
            assertThat(littleEndian(stream, trailer + 4)).isEqualTo(data.length);
            members.add(data);
            offset = trailer + 8;
        }
        return members;
    }

    private static int littleEndian(byte[] data, int at) {
        return (data[at] & 0xff)
                | (data[at + 1] & 0xff) << 8
                | (data[at + 2] & 0xff) << 16
                | (data[at + 3] & 0xff) << 24;
    }
}
