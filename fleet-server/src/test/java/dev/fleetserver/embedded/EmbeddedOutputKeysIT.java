package dev.fleetserver.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.health.HealthState;
import dev.fleetserver.policy.PolicyMonitor;
import dev.fleetserver.policy.PolicyRenderer;
import dev.fleetserver.policy.PreparedPolicy;
import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.EmbeddedFleet;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RawHttpResponse;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * Outputs on the embedded store, where there is no fleet Elasticsearch: an {@code elasticsearch} output that
 * carries a {@code service_token} gets each agent's key in its own cluster (here the test node), and the token
 * never reaches the agent; one without is delivered with the credentials the policy gives it. The answers built
 * from a revision's shared template (ADR 12) decode, through a socket, to exactly the tree the per-agent rendering
 * gives each agent with its key; the gzip body is one member.
 */
@ExtendWith(NoSecretsInLogs.class)
class EmbeddedOutputKeysIT {

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

    /** Kibana's policy for the test node, its output given the node's service token, plus an output with a preset key. */
    private static String policyWithTokenOutput() {
        String policyId = "policy-" + UUID.randomUUID().toString().substring(0, 8);
        return fleet.createPolicy(policyId, tokenOutputPolicyData(policyId));
    }

    private static ObjectNode tokenOutputPolicyData(String policyId) {
        ObjectNode data = cluster.defaultPolicyData(policyId);
        ObjectNode outputs = data.withObjectProperty("outputs");
        outputs.withObjectProperty("default").put("service_token", admin.node().serviceToken());
        outputs.putObject("preset")
                .put("type", "elasticsearch")
                .put("api_key", EmbeddedFleet.PRESET_OUTPUT_KEY)
                .putArray("hosts")
                .add(admin.node().httpUri().toString());
        return data;
    }

    /**
     * {@link #policyWithTokenOutput}'s outputs plus logstash and kafka, an OTel exporter writing with the agent's
     * key, and enough inputs for shared deflate segments (ADR 12).
     */
    private static String policyWithEveryKindOfOutput() {
        String policyId = "shared-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode data = tokenOutputPolicyData(policyId);
        ObjectNode outputs = data.withObjectProperty("outputs");
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
    void anOutputWithATokenGetsAKeyInItsClusterAndTheTokenIsNotDelivered() {
        String policyId = policyWithTokenOutput();
        SimulatedAgent agent = new SimulatedAgent(server.agentUri());
        assertThat(agent.enroll(fleet.createEnrollmentToken(policyId)).statusCode())
                .isEqualTo(200);

        ObjectNode policyChange = agent.checkin().actions().getFirst();
        JsonNode outputs = policyChange.path("data").path("policy").path("outputs");

        JsonNode output = outputs.path("default");
        assertThat(output.path("type").asString()).isEqualTo("elasticsearch");
        assertThat(output.has("service_token")).isFalse();
        assertThat(policyChange.toString()).doesNotContain(admin.node().serviceToken());
        String key = output.path("api_key").asString();
        assertThat(cluster.authenticates(key))
                .as("the key works in the output's cluster")
                .isTrue();
        JsonNode created =
                await().atMost(Duration.ofSeconds(10)).until(() -> cluster.apiKey(key.split(":")[0]), k -> k != null);
        assertThat(created.path("name").asString()).isEqualTo(agent.agentId() + ":default");
        assertThat(created.path("metadata").path("type").asString()).isEqualTo("output");
        Agent stored = fleet.agent(agent.agentId());
        assertThat(stored.output("default").orElseThrow().apiKeyId()).isEqualTo(key.split(":")[0]);

        assertThat(outputs.path("preset").path("api_key").asString())
                .as("an output with its own credentials is delivered untouched")
                .isEqualTo(EmbeddedFleet.PRESET_OUTPUT_KEY);
        assertThat(stored.outputs()).containsOnlyKeys("default");
        assertThat(cluster.authenticates(agent.accessApiKey()))
                .as("the access key lives in the embedded store, not in Elasticsearch")
                .isFalse();

        agent.apply(policyChange);
        assertThat(agent.ack(policyChange).statusCode()).isEqualTo(200);
        var unenroll = fleet.createAction("UNENROLL", List.of(agent.agentId()));
        ObjectNode action = agent.checkin().actions().getFirst();
        assertThat(action.path("id").asString()).isEqualTo(unenroll.actionId());
        assertThat(agent.ack(action).statusCode()).isEqualTo(200);

        assertThat(cluster.authenticates(key))
                .as("the output key is invalidated at unenrollment")
                .isFalse();
        assertThat(agent.checkin().status()).as("the access key too").isEqualTo(401);
    }

    @Test
    void aSecondCheckinReusesTheKeyAndANewRevisionWithOtherPermissionsUpdatesIt() throws Exception {
        String policyId = policyWithTokenOutput();
        SimulatedAgent agent = new SimulatedAgent(server.agentUri());
        agent.enroll(fleet.createEnrollmentToken(policyId));
        ObjectNode first = agent.checkin().actions().getFirst();
        String key = first.path("data")
                .path("policy")
                .path("outputs")
                .path("default")
                .path("api_key")
                .asString();
        agent.apply(first);
        agent.ack(first);
        // Keys are created without a refresh: Elasticsearch updates one only once it lists it.
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.apiKey(key.split(":")[0]), k -> k != null);

        var held = agent.checkinAsync();
        Thread.sleep(500);
        fleet.newRevision(
                policyId,
                data -> data.withObjectProperty("output_permissions")
                        .withObjectProperty("default")
                        .putObject("extra")
                        .putArray("cluster")
                        .add("monitor"));
        ObjectNode second = held.get().actions().getFirst();

        assertThat(second.path("data")
                        .path("policy")
                        .path("outputs")
                        .path("default")
                        .path("api_key")
                        .asString())
                .as("the same key, its permissions updated in place")
                .isEqualTo(key);
        JsonNode roles = cluster.apiKey(key.split(":")[0]).path("role_descriptors");
        assertThat(roles.has("extra")).isTrue();
    }

    // Shared policy-change answers (ADR 12): what the per-agent rendering gives each agent, over a socket.

    @Test
    void everyAgentDecodesTheTreeThePerAgentRenderingGivesIt() throws Exception {
        String policyId = policyWithEveryKindOfOutput();
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
            assertThat(received.path("ack_token").asString()).isEmpty();
            assertThat(received.path("action").asString()).isEqualTo("checkin");
            assertThat(received.path("actions")).hasSize(1);
            assertThat(received.path("actions").get(0)).isEqualTo(perAgent);
            assertThat(received.at("/actions/0/data/policy/exporters/elasticsearch~1default/api_key")
                            .asString())
                    .isEqualTo(java.util.Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)));
            assertThat(received.toString()).doesNotContain(admin.node().serviceToken());
        }
        assertThat(keys).as("each agent its own key").doesNotHaveDuplicates();
    }

    @Test
    void theWireCarriesOneGzipMemberAndWithoutGzipTheSameJson() throws Exception {
        String policyId = policyWithEveryKindOfOutput();
        String token = fleet.createEnrollmentToken(policyId);
        SimulatedAgent gzipAgent = new SimulatedAgent(server.agentUri());
        gzipAgent.enroll(token);
        SimulatedAgent plainAgent = new SimulatedAgent(server.agentUri());
        plainAgent.enroll(token);

        RawHttpResponse gzipped = rawCheckin(gzipAgent, true);
        RawHttpResponse plain = rawCheckin(plainAgent, false);

        assertThat(gzipped.status()).isEqualTo(200);
        assertThat(gzipped.headers()).containsEntry("content-encoding", "gzip");
        List<byte[]> members = gunzipMembers(gzipped.body());
        assertThat(members)
                .as("one member: no reader needs multi-member support")
                .hasSize(1);
        byte[] json = members.getFirst();
        assertThat(gzipped.body().length).as("compressed").isLessThan(json.length / 2);
        assertThat(plain.headers()).doesNotContainKey("content-encoding");

        JsonNode viaGzip = Http.JSON.readTree(json);
        JsonNode viaPlain = Http.JSON.readTree(plain.body());
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

    /** One checkin over a plain socket, read byte for byte as sent: no client library in between. */
    private static RawHttpResponse rawCheckin(SimulatedAgent agent, boolean acceptGzip) throws IOException {
        byte[] body = Http.JSON.writeValueAsBytes(agent.checkinBody());
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
            return RawHttpResponse.read(socket.getInputStream());
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
