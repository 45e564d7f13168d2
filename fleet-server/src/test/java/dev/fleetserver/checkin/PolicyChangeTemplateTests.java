package dev.fleetserver.checkin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetserver.policy.PolicyRenderException;
import dev.fleetserver.policy.PolicyRenderer;
import dev.fleetserver.policy.PreparedPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A POLICY_CHANGE answer filled into a shared template carries exactly the bytes the per-agent rendering produces
 * (a copy of the revision with the agent's keys, serialized on its own), plain and through gzip, for any agent id
 * and key values, in every key shape.
 */
class PolicyChangeTemplateTests {

    private static final ResponseCompression GZIP = new ResponseCompression(1, 1024);
    private static final List<List<String>> SHAPES = List.of(
            List.of("default"),
            List.of("default", "remote"),
            List.of("default", "own"),
            List.of("default", "remote", "own"));
    private static final List<Set<String>> OWN_CLUSTER = List.of(Set.of(), Set.of("own"));

    private final Random random = new Random(20261125);

    @Test
    void manyAgentsReceiveTheBytesThePerAgentRenderingProduces() {
        PreparedPolicy policy = SamplePolicies.prepared("linux-web", 7, 25);
        for (Set<String> ownCluster : OWN_CLUSTER) {
            for (List<String> shape : SHAPES) {
                PolicyChangeTemplate template = PolicyChangeTemplate.build(policy, shape, ownCluster, GZIP);
                assertThat(template.segmentCount())
                        .as("shared segments and stored agent parts")
                        .isGreaterThan(2);
                for (int agent = 0; agent < 150; agent++) {
                    String agentId = agentId(agent);
                    Map<String, String> keys = keys(shape);
                    byte[] before = perAgent(policy, agentId, keys, ownCluster);

                    PolicyChangeAnswer answer = template.fill(agentId, List.copyOf(keys.values()));

                    assertThat(answer.json()).isEqualTo(before);
                    CheckinResponse.Body gzipped = answer.encode(GZIP);
                    assertThat(gzipped.gzipped()).isTrue();
                    assertThat(gunzip(gzipped.bytes())).isEqualTo(before);
                    assertThat(tree(gunzip(gzipped.bytes()))).isEqualTo(tree(before));
                }
            }
        }
    }

    @Test
    void whatAgentsReceiveHasTheirKeysInOutputsAndExportersAndNoServiceTokens() {
        PreparedPolicy policy = SamplePolicies.prepared("linux-web", 3, 2);
        PolicyChangeAnswer answer = PolicyChangeTemplate.build(policy, SamplePolicies.KEYED, Set.of("own"), GZIP)
                .fill("agent-1", List.of("d:1", "r:2", "o:3"));

        JsonNode action =
                tree(gunzip(answer.encode(GZIP).bytes())).path("actions").get(0);
        assertThat(action.path("agent_id").asString()).isEqualTo("agent-1");
        assertThat(action.path("id").asString()).isEqualTo("policy:linux-web:3");
        JsonNode delivered = action.path("data").path("policy");
        assertThat(delivered.path("outputs").path("default").path("api_key").asString())
                .isEqualTo("d:1");
        assertThat(delivered.path("outputs").path("remote").path("api_key").asString())
                .isEqualTo("r:2");
        assertThat(delivered.path("outputs").path("remote").has("service_token"))
                .isFalse();
        assertThat(delivered.path("outputs").path("own").has("service_token")).isFalse();
        assertThat(delivered.path("outputs").path("preset").path("api_key").asString())
                .isEqualTo("presetId:presetSecret");
        assertThat(delivered
                        .path("exporters")
                        .path("elasticsearch/default")
                        .path("api_key")
                        .asString())
                .isEqualTo("ZDox");
        assertThat(delivered
                        .path("inputs")
                        .get(0)
                        .path("streams")
                        .get(0)
                        .path("password")
                        .asString())
                .isEqualTo("p@ss\u0001word");
        assertThat(delivered.path("secret_paths").toString()).doesNotContain("service_token");
    }

    @Test
    void aShapeTheRevisionCannotBeDeliveredWithFailsAsThePerAgentRenderingDoes() {
        PreparedPolicy policy = SamplePolicies.prepared("linux-web", 1, 1);
        // The exporter writes to "default", which has no key in this shape.
        List<String> shape = List.of("remote");

        assertThatThrownBy(() -> perAgent(policy, "a", Map.of("remote", "r:1"), Set.of()))
                .isInstanceOf(PolicyRenderException.class)
                .hasMessageContaining("which has no API key");
        assertThatThrownBy(() -> PolicyChangeTemplate.build(policy, shape, Set.of(), GZIP))
                .isInstanceOf(PolicyRenderException.class)
                .hasMessageContaining("which has no API key");
    }

    @Test
    void smallAnswersAndAgentsWithoutGzipGetPlainJson() {
        PreparedPolicy policy = SamplePolicies.prepared("p", 1, 0);
        PolicyChangeAnswer answer = PolicyChangeTemplate.build(policy, SamplePolicies.KEYED, Set.of(), GZIP)
                .fill("a", List.of("d:1", "r:2", "o:3"));
        byte[] json = answer.json();

        assertThat(answer.encode(null)).satisfies(body -> {
            assertThat(body.gzipped()).isFalse();
            assertThat(body.bytes()).isEqualTo(json);
        });
        assertThat(answer.encode(new ResponseCompression(0, 0)).gzipped())
                .as("compression_level 0")
                .isFalse();
        assertThat(answer.encode(new ResponseCompression(1, json.length)).gzipped())
                .as("not above the threshold")
                .isFalse();
        assertThat(gunzip(answer.encode(new ResponseCompression(1, json.length - 1))
                        .bytes()))
                .isEqualTo(json);
    }

    @Test
    void aTemplateBuiltWithoutCompressionStillAnswersInGzipWhenAsked() {
        PreparedPolicy policy = SamplePolicies.prepared("p", 1, 10);
        PolicyChangeAnswer answer = PolicyChangeTemplate.build(
                        policy, SamplePolicies.KEYED, Set.of(), new ResponseCompression(0, 0))
                .fill("a", List.of("d:1", "r:2", "o:3"));

        assertThat(gunzip(answer.encode(GZIP).bytes())).isEqualTo(answer.json());
    }

    private static byte[] perAgent(
            PreparedPolicy policy, String agentId, Map<String, String> keys, Set<String> ownCluster) {
        return CheckinResponse.Actions.policyChange(PolicyRenderer.render(agentId, policy, keys, ownCluster))
                .toJson();
    }

    /** Ids as agents have them, and some no agent has but a path can carry: quotes, escapes, non-ASCII. */
    private String agentId(int i) {
        return switch (i % 5) {
            case 0 -> "0b7e2f5c-3d1a-4c2e-9a61-" + String.format("%012x", random.nextLong() & 0xFFFFFFFFFFFFL);
            case 1 -> "agent \"" + i + "\" \\ back";
            case 2 -> "agent-\u0001-\t-" + i;
            case 3 -> "agént-日本-\uD83D\uDE00-" + i;
            default -> "a" + i;
        };
    }

    private Map<String, String> keys(List<String> shape) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String output : shape) {
            keys.put(output, randomToken(20) + ":" + randomToken(22) + (random.nextInt(10) == 0 ? "\"\\/" : ""));
        }
        return keys;
    }

    private String randomToken(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        StringBuilder token = new StringBuilder();
        for (int i = 0; i < length; i++) {
            token.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return token.toString();
    }

    static byte[] gunzip(byte[] gzipped) {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode tree(byte[] json) {
        return SamplePolicies.JSON.readTree(json);
    }

    static List<String> agents(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("agent-" + i);
        }
        return ids;
    }
}
