package dev.fleetserver.conformance;

import static dev.fleetserver.conformance.Wire.assertFleetError;
import static dev.fleetserver.conformance.Wire.assertGeneric500;
import static dev.fleetserver.conformance.Wire.base64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.conformance.Wire.Answer;
import dev.fleetserver.testsupport.ElasticsearchOnly;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.KibanaSide;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.Secrets;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestConfigs;
import dev.fleetserver.testsupport.TestStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.ObjectNode;

/** Enrollment (agent-api §8, §9; checklist items 28–55). The server is 9.5.0, so 9.6 examples become 9.5. */
@ExtendWith(NoSecretsInLogs.class)
class EnrollmentIT {

    private static final String UA = "Elastic Agent v9.5.0";
    private static final String MINIMAL = "{\"type\":\"PERMANENT\",\"metadata\":{\"local\":{},\"tags\":[]}}";
    private static final String STATIC_POLICY =
            "static-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String STATIC_KEY = Secrets.register("static-key-" + UUID.randomUUID());
    private static final String STATIC_KEY_NO_POLICY = Secrets.register("static-key-" + UUID.randomUUID());

    private static RunningServer server;
    private static KibanaSide kibana;
    private static String policyId;
    private static String token;

    @BeforeAll
    static void start() {
        String staticTokens = """
                      static_policy_tokens:
                        enabled: true
                        policy_tokens:
                          - token_key: %s
                            policy_id: %s
                          - token_key: %s
                            policy_id: no-such-policy-%s
                """.formatted(STATIC_KEY, STATIC_POLICY, STATIC_KEY_NO_POLICY, UUID.randomUUID());
        server = RunningServer.start(TestStore.current().config(TestConfigs.SHORT_POLLS + staticTokens))
                .awaitHealthy();
        kibana = TestStore.current().kibana(server);
        policyId = kibana.createPolicy("enroll-" + UUID.randomUUID().toString().substring(0, 8));
        token = kibana.createEnrollmentToken(policyId);
        kibana.createPolicy(STATIC_POLICY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---------------------------------------------------------------- helpers

    static Answer enroll(String enrollmentToken, String userAgent, byte[] body) {
        List<String[]> headers = new ArrayList<>(Wire.agentHeaders(userAgent));
        headers.add(new String[] {"Authorization", "ApiKey " + enrollmentToken});
        Answer answer = Wire.raw(server.agentUri(), "POST", "/api/fleet/agents/enroll?", headers, body);
        if (answer.status() == 200) {
            String key = answer.json().path("item").path("access_api_key").asString();
            Secrets.register(key);
            try {
                String plain = new String(Base64.getDecoder().decode(key), StandardCharsets.UTF_8);
                Secrets.register(plain.substring(plain.indexOf(':') + 1));
            } catch (IllegalArgumentException notBase64) {
                // asserted by the tests that care
            }
        }
        return answer;
    }

    static Answer enroll(String enrollmentToken, String userAgent, String body) {
        return enroll(enrollmentToken, userAgent, body.getBytes(StandardCharsets.UTF_8));
    }

    static Answer enroll(String body) {
        return enroll(token, UA, body);
    }

    static Answer enroll(ObjectNode body) {
        return enroll(Http.JSON.writeValueAsString(body));
    }

    /** The body a real agent sends (agent-behavior §2.2), for editing. */
    static ObjectNode agentBody() {
        return new SimulatedAgent(server.agentUri()).enrollBody();
    }

    static JsonNode item(Answer answer) {
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        return answer.json().path("item");
    }

    static String stringOf(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.asString();
    }

    // ---------------------------------------------------------------- User-Agent (items 28–32)

    @ParameterizedTest
    @ValueSource(
            strings = {
                "elastic-agent 9.5.0",
                "",
                "Elastic Agent",
                "Elastic  Agent 9.5.0",
                "Elastic Agent 9.5.0 (linux)",
                "Elastic Agent vnine",
                "Mozilla/5.0",
                "curl/8.0"
            })
    void item28_anUnparseableUserAgentIs400InvalidUserAgent(String userAgent) {
        assertFleetError(enroll(token, userAgent, MINIMAL), 400, "InvalidUserAgent", "user-agent is invalid");
    }

    @ParameterizedTest
    @CsvSource({
        "ELASTIC AGENT v9.5.0-SNAPSHOT, 9.5.0",
        "elastic agent 9.4.3-alpha1, 9.4.3",
        "Elastic Agent 7.13.0, 7.13.0",
        "Elastic Agent 9.5.99, 9.5.99",
        "Elastic Agent v8.6, 8.6.0"
    })
    void items29_31_32_acceptedVersionsAreStoredNormalised(String userAgent, String stored) {
        JsonNode item = item(enroll(token, userAgent, MINIMAL));
        assertThat(kibana.agentDocument(item.path("id").asString())
                        .path("agent")
                        .path("version")
                        .asString())
                .isEqualTo(stored);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"Elastic Agent 7.12.0", "Elastic Agent 7.12.9", "Elastic Agent 9.6.0", "Elastic Agent 10.0.0"})
    void items30_32_versionsOutsideTheRangeAre400UnsupportedVersion(String userAgent) {
        assertFleetError(enroll(token, userAgent, MINIMAL), 400, "UnsupportedVersion", "version is not supported");
    }

    @Test
    void aMissingUserAgentHeaderIsTheGeneric500() {
        List<String[]> headers = new ArrayList<>(Wire.agentHeaders(null));
        headers.add(new String[] {"Authorization", "ApiKey " + token});
        assertGeneric500(Wire.raw(server.agentUri(), "POST", "/api/fleet/agents/enroll?", headers, Wire.utf8(MINIMAL)));
    }

    // ---------------------------------------------------------------- response (items 35–37)

    @Test
    void item35_responseShape() {
        Answer answer = enroll(MINIMAL);
        JsonNode body = answer.json();
        assertThat(body.propertyNames()).containsExactlyInAnyOrder("action", "item");
        assertThat(body.path("action").asString()).isEqualTo("created");
        JsonNode item = item(answer);
        assertThat(item.propertyNames())
                .containsExactlyInAnyOrder(
                        "id",
                        "active",
                        "policy_id",
                        "type",
                        "enrolled_at",
                        "user_provided_metadata",
                        "local_metadata",
                        "access_api_key_id",
                        "access_api_key",
                        "status",
                        "tags");
        assertThat(item.path("active").isBoolean() && item.path("active").asBoolean())
                .isTrue();
        assertThat(item.path("status").asString()).isEqualTo("online");
        assertThat(item.path("type").asString()).isEqualTo("PERMANENT");
        assertThat(item.path("policy_id").asString()).isEqualTo(policyId);
        assertThat(item.path("tags").isArray()).isTrue();
        assertThat(item.path("tags")).isEmpty();
        assertThat(item.path("user_provided_metadata").isNull()).isTrue();
        assertThat(item.path("local_metadata").isObject()).isTrue();
        assertThat(answer.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void item35_tagsAreAnEmptyArrayWhenTheAgentSendsNull() {
        JsonNode item = item(enroll(agentBody()));
        assertThat(item.path("tags").isArray())
                .as("tags: %s", item.path("tags"))
                .isTrue();
        assertThat(item.path("tags")).isEmpty();
        assertThat(kibana.agentDocument(item.path("id").asString()).has("tags"))
                .as("empty tags are not stored")
                .isFalse();
    }

    @Test
    void item36_theAccessKeyIsBase64OfIdColonSecretAndWorksForTheFirstCheckin() {
        JsonNode item = item(enroll(MINIMAL));
        String decoded = new String(
                Base64.getDecoder().decode(item.path("access_api_key").asString()), StandardCharsets.UTF_8);
        assertThat(decoded).startsWith(item.path("access_api_key_id").asString() + ":");
        assertThat(decoded.split(":", -1)).hasSize(2);

        SimulatedAgent agent = new SimulatedAgent(server.agentUri())
                .agentId(item.path("id").asString())
                .accessApiKey(item.path("access_api_key").asString());
        SimulatedAgent.Checkin first = agent.checkin();
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.actionIds()).containsExactly("policy:" + policyId + ":1");
    }

    @Test
    void item37_generatedIdIsAUuidAndEnrolledAtIsRfc3339UtcSeconds() {
        Instant before = Instant.now().minusSeconds(2);
        JsonNode item = item(enroll(MINIMAL));
        assertThat(item.path("id").asString())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        String enrolledAt = item.path("enrolled_at").asString();
        assertThat(enrolledAt).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
        assertThat(Instant.parse(enrolledAt)).isBetween(before, Instant.now().plusSeconds(2));
    }

    @Test
    void identicalRequestsWithoutIdOrEnrollmentIdCreateDistinctAgents() {
        ObjectNode body = agentBody();
        String first = item(enroll(body)).path("id").asString();
        String second = item(enroll(body)).path("id").asString();
        assertThat(first).isNotEqualTo(second);
        assertThat(kibana.agentDocument(first)).isNotNull();
        assertThat(kibana.agentDocument(second)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"EPHEMERAL", "TEMPORARY"})
    void theOtherEnrollTypesAreAcceptedAndStored(String type) {
        JsonNode item = item(enroll("{\"type\":\"" + type + "\",\"metadata\":{\"local\":{}}}"));
        assertThat(item.path("type").asString()).isEqualTo(type);
        assertThat(kibana.agentDocument(item.path("id").asString()).path("type").asString())
                .isEqualTo(type);
    }

    // ---------------------------------------------------------------- stored document (items 38–42)

    @Test
    void item38_theStoredDocument() {
        JsonNode item = item(enroll(MINIMAL));
        String id = item.path("id").asString();
        ObjectNode doc = kibana.agentDocument(id);
        assertThat(doc).as("the agent document").isNotNull();
        assertThat(doc.path("active").asBoolean()).isTrue();
        assertThat(doc.path("policy_id").asString()).isEqualTo(policyId);
        assertThat(doc.path("policy_base_id").asString()).isEqualTo(policyId);
        assertThat(doc.path("type").asString()).isEqualTo("PERMANENT");
        assertThat(doc.path("access_api_key_id").asString())
                .isEqualTo(item.path("access_api_key_id").asString());
        assertThat(doc.path("action_seq_no").isArray()).isTrue();
        assertThat(doc.path("action_seq_no")).hasSize(1);
        assertThat(doc.path("action_seq_no").get(0).asLong()).isEqualTo(-1);
        assertThat(doc.path("agent").path("id").asString()).isEqualTo(id);
        assertThat(doc.path("agent").path("version").asString()).isEqualTo("9.5.0");
        assertThat(doc.path("enrolled_at").asString())
                .isEqualTo(item.path("enrolled_at").asString());
        assertThat(doc.path("namespaces").isArray()).isTrue();
        assertThat(doc.path("namespaces").get(0).asString()).isEqualTo("default");
        assertThat(doc.has("local_metadata")).isTrue();
        for (String absent : List.of(
                "last_checkin",
                "policy_revision_idx",
                "user_provided_metadata",
                "outputs",
                "tags",
                "enrollment_id",
                "replace_token")) {
            assertThat(doc.has(absent))
                    .as("%s is not written at enrollment: %s", absent, doc)
                    .isFalse();
        }
    }

    @Test
    void item39_policyBaseIdDropsEverythingFromTheLastHash() {
        String base = "pb-" + UUID.randomUUID().toString().substring(0, 8) + "#x";
        String versioned = kibana.createPolicy(base + "#9.2");
        String versionedToken = kibana.createEnrollmentToken(versioned);

        JsonNode item = item(enroll(versionedToken, UA, MINIMAL));

        assertThat(item.path("policy_id").asString()).isEqualTo(versioned);
        ObjectNode doc = kibana.agentDocument(item.path("id").asString());
        assertThat(doc.path("policy_id").asString()).isEqualTo(versioned);
        assertThat(doc.path("policy_base_id").asString()).isEqualTo(base);
    }

    @Test
    @ElasticsearchOnly("the access key's Elasticsearch API-key metadata and role descriptors")
    void item40_theAccessKeyInElasticsearch() {
        JsonNode item = item(enroll(MINIMAL));
        String id = item.path("id").asString();
        String keyId = item.path("access_api_key_id").asString();
        // created without refresh (§9.6): it becomes visible to the key API shortly after
        JsonNode key = await().atMost(Duration.ofSeconds(30)).until(() -> kibana.apiKey(keyId), found -> found != null);
        assertThat(key.path("name").asString()).isEqualTo(id);
        assertThat(key.path("invalidated").asBoolean()).isFalse();
        assertThat(key.has("expiration")).as("no expiration: %s", key).isFalse();
        JsonNode metadata = key.path("metadata");
        assertThat(metadata.propertyNames()).containsExactlyInAnyOrder("agent_id", "managed", "managed_by", "type");
        assertThat(metadata.path("agent_id").asString()).isEqualTo(id);
        assertThat(metadata.path("managed").asBoolean()).isTrue();
        assertThat(metadata.path("managed_by").asString()).isEqualTo("fleet-server");
        assertThat(metadata.path("type").asString()).isEqualTo("access");
        JsonNode roles = key.path("role_descriptors");
        assertThat(roles.propertyNames()).containsExactly("fleet-apikey-access");
        JsonNode role = roles.path("fleet-apikey-access");
        assertThat(role.path("cluster")).isEmpty();
        assertThat(role.path("indices")).isEmpty();
        assertThat(role.path("applications")).hasSize(1);
        JsonNode application = role.path("applications").get(0);
        assertThat(application.path("application").asString()).isEqualTo("fleet");
        assertThat(application.path("privileges").get(0).asString()).isEqualTo("no-privileges");
        assertThat(application.path("resources").get(0).asString()).isEqualTo("*");
    }

    @Test
    void item41_elasticAgentIdIsRewrittenToTheNewId() {
        JsonNode item = item(enroll(
                "{\"type\":\"PERMANENT\",\"metadata\":{\"local\":{\"elastic\":{\"agent\":{\"id\":\"\",\"version\":\"9.5.0\"}},"
                        + "\"host\":{\"hostname\":\"h1\"}}}}"));
        String id = item.path("id").asString();
        assertThat(item.path("local_metadata")
                        .path("elastic")
                        .path("agent")
                        .path("id")
                        .asString())
                .isEqualTo(id);
        assertThat(item.path("local_metadata")
                        .path("elastic")
                        .path("agent")
                        .path("version")
                        .asString())
                .isEqualTo("9.5.0");
        assertThat(item.path("local_metadata").path("host").path("hostname").asString())
                .isEqualTo("h1");
        JsonNode stored = kibana.agentDocument(id).path("local_metadata");
        assertThat(stored.path("elastic").path("agent").path("id").asString()).isEqualTo(id);
        assertThat(stored.path("host").path("hostname").asString()).isEqualTo("h1");
    }

    @Test
    void item41_theAgentsLocalIdIsReplacedToo() {
        // a real agent sends the id it holds locally (agent-behavior §2.2)
        ObjectNode body = agentBody();
        String local = body.path("metadata")
                .path("local")
                .path("elastic")
                .path("agent")
                .path("id")
                .asString();
        JsonNode item = item(enroll(body));
        assertThat(local).isNotEqualTo(item.path("id").asString());
        assertThat(item.path("local_metadata")
                        .path("elastic")
                        .path("agent")
                        .path("id")
                        .asString())
                .isEqualTo(item.path("id").asString());
    }

    @Test
    void item41_localMetadataWithoutElasticAgentIdIsStoredUnchanged() {
        String local = "{\"elastic\":{\"agent\":{\"version\":\"9.5.0\"}},\"host\":{\"hostname\":\"h2\"}}";
        JsonNode item = item(enroll("{\"type\":\"PERMANENT\",\"metadata\":{\"local\":" + local + "}}"));
        JsonNode expected = Http.JSON.readTree(local);
        assertThat(item.path("local_metadata")).isEqualTo(expected);
        assertThat(kibana.agentDocument(item.path("id").asString()).path("local_metadata"))
                .isEqualTo(expected);
    }

    @Test
    void item42_tagsAreDeduplicatedAndSorted() {
        JsonNode item =
                item(enroll("{\"type\":\"PERMANENT\",\"metadata\":{\"local\":{},\"tags\":[\"b\",\"a\",\"b\"]}}"));
        assertThat(item.path("tags").valueStream().map(JsonNode::asString).toList())
                .containsExactly("a", "b");
        assertThat(kibana.agentDocument(item.path("id").asString())
                        .path("tags")
                        .valueStream()
                        .map(JsonNode::asString)
                        .toList())
                .containsExactly("a", "b");
    }

    // ---------------------------------------------------------------- bodies (items 43–45)

    @Test
    void item43_anEmptyBodyIs400() {
        Answer answer = enroll(token, UA, new byte[0]);
        assertFleetError(answer, 400, "BadRequest");
        assertThat(answer.message()).startsWith("Bad request: unable to decode enroll request");
    }

    @Test
    void item44_aBodyOver512KiBIs400RequestBodyTooLarge() {
        Answer answer = enroll(token, UA, paddedBody(512 * 1024 + 1));
        assertFleetError(answer, 400, "BadRequest");
        assertThat(answer.message())
                .isEqualTo("Bad request: unable to decode enroll request: http: request body too large");
    }

    @Test
    void item44_aBodyOfExactly512KiBIsAccepted() {
        assertThat(enroll(token, UA, paddedBody(512 * 1024)).status()).isEqualTo(200);
    }

    /** A valid enroll body of exactly {@code size} bytes whose JSON only ends at its last byte. */
    private static byte[] paddedBody(int size) {
        String head = "{\"type\":\"PERMANENT\",\"metadata\":{\"local\":{},\"user_provided\":{\"pad\":\"";
        String tail = "\"}}}";
        return (head + "x".repeat(size - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void item45_anUnknownTypeIsTheGeneric500() {
        Answer answer = enroll("{\"type\":\"SOMETHING\",\"metadata\":{\"local\":{}}}");
        assertGeneric500(answer);
        assertThat(answer.message()).isEqualTo("unknown enroll request type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"permanent\",\"metadata\":{}}", "{\"metadata\":{}}", "{}"})
    void item45_typeIsCaseSensitiveAndRequired(String body) {
        assertGeneric500(enroll(body));
    }

    // ---------------------------------------------------------------- which key (items 46–47)

    @Test
    void item46_enrollingWithAnAgentAccessKeyIsTheGeneric500() {
        String accessKey = item(enroll(MINIMAL)).path("access_api_key").asString();
        assertGeneric500(enroll(accessKey, UA, MINIMAL));
    }

    @Test
    void item47_aDeactivatedEnrollmentTokenIsTheGeneric500() {
        String deactivated = kibana.createEnrollmentToken(policyId);
        kibana.deactivateEnrollmentToken(deactivated);
        assertGeneric500(enroll(deactivated, UA, MINIMAL));
    }

    @Test
    void aRevokedEnrollmentTokenIs401Unauthorized() {
        String revoked = kibana.createEnrollmentToken(policyId);
        kibana.revokeEnrollmentToken(revoked);
        assertFleetError(enroll(revoked, UA, MINIMAL), 401, "ErrUnauthorized", "unauthorized");
    }

    // ---------------------------------------------------------------- id and replace_token (items 48–53)

    private static String hostId() {
        return "host-" + UUID.randomUUID();
    }

    private static ObjectNode withId(String id, String replaceToken) {
        ObjectNode body = agentBody();
        body.put("id", id);
        body.put("replace_token", replaceToken == null ? "" : replaceToken);
        return body;
    }

    private static String replaceToken() {
        return Secrets.register("replace-" + UUID.randomUUID());
    }

    @Test
    void item48_theSameIdTwiceWithoutReplaceTokenIs403() {
        String id = hostId();
        assertThat(item(enroll(withId(id, null))).path("id").asString()).isEqualTo(id);
        assertFleetError(enroll(withId(id, null)), 403, "AgentNotReplaceable", "existing agent cannot be replaced");
        // nor can a replace token be added afterwards
        assertFleetError(
                enroll(withId(id, replaceToken())), 403, "AgentNotReplaceable", "existing agent cannot be replaced");
    }

    @Test
    void item49_aDifferentReplaceTokenIs403() {
        String id = hostId();
        item(enroll(withId(id, replaceToken())));
        assertFleetError(
                enroll(withId(id, replaceToken())), 403, "AgentNotReplaceable", "existing agent cannot be replaced");
        assertFleetError(enroll(withId(id, null)), 403, "AgentNotReplaceable", "existing agent cannot be replaced");
    }

    @Test
    void item50_theSameReplaceTokenReplacesTheAgentInPlace() throws Exception {
        String id = hostId();
        String replace = replaceToken();
        JsonNode first = item(enroll(withId(id, replace)));
        SimulatedAgent agent = new SimulatedAgent(server.agentUri())
                .agentId(id)
                .accessApiKey(first.path("access_api_key").asString());
        ObjectNode policyChange = agent.checkin().actions().getFirst();
        assertThat(agent.ack(policyChange).statusCode()).isEqualTo(200);
        assertThat(kibana.agentDocument(id).path("policy_revision_idx").asLong())
                .isEqualTo(1);
        Thread.sleep(1100); // a re-generated enrolled_at would differ

        JsonNode second = item(enroll(withId(id, replace)));

        assertThat(second.path("id").asString()).isEqualTo(id);
        assertThat(second.path("type").asString()).isEqualTo("PERMANENT");
        assertThat(second.path("enrolled_at").asString())
                .isEqualTo(first.path("enrolled_at").asString());
        String firstKey = first.path("access_api_key_id").asString();
        String secondKey = second.path("access_api_key_id").asString();
        assertThat(secondKey).isNotEqualTo(firstKey);
        ObjectNode doc = kibana.agentDocument(id);
        assertThat(doc.path("access_api_key_id").asString()).isEqualTo(secondKey);
        assertThat(doc.path("policy_revision_idx").asLong()).isZero();
        assertThat(doc.path("enrolled_at").asString())
                .isEqualTo(first.path("enrolled_at").asString());
        await().atMost(Duration.ofSeconds(70))
                .untilAsserted(() -> assertThat(kibana.authenticates(
                                first.path("access_api_key").asString()))
                        .as("the first access key is invalidated")
                        .isFalse());
        Answer oldKeyAck = Wire.raw(
                server.agentUri(),
                "POST",
                "/api/fleet/agents/" + id + "/acks?",
                withAuthorization(first.path("access_api_key").asString()),
                Wire.utf8("{}"));
        assertThat(oldKeyAck.status())
                .as("the old key no longer acts for the agent: %s", oldKeyAck)
                .isIn(401, 403);
        Answer newKeyAck = Wire.raw(
                server.agentUri(),
                "POST",
                "/api/fleet/agents/" + id + "/acks?",
                withAuthorization(second.path("access_api_key").asString()),
                Wire.utf8("{}"));
        assertThat(newKeyAck.status()).as("%s", newKeyAck).isEqualTo(200);
    }

    private static List<String[]> withAuthorization(String key) {
        List<String[]> headers = new ArrayList<>(Wire.agentHeaders(UA));
        headers.add(new String[] {"Authorization", "ApiKey " + key});
        return headers;
    }

    @Test
    void item51_aReplacementThroughAnotherPolicysTokenIs403() {
        String id = hostId();
        String replace = replaceToken();
        item(enroll(withId(id, replace)));
        String otherToken = kibana.createEnrollmentToken(
                kibana.createPolicy("other-" + UUID.randomUUID().toString().substring(0, 8)));
        Answer answer = enroll(otherToken, UA, Http.JSON.writeValueAsString(withId(id, replace)));
        assertFleetError(answer, 403, "AgentNotReplaceable", "existing agent cannot be replaced");
        assertThat(kibana.agentDocument(id).path("policy_id").asString()).isEqualTo(policyId);
    }

    @Test
    void item52_onlyAPbkdf2HashOfTheReplaceTokenIsStored() {
        String id = hostId();
        String replace = replaceToken();
        item(enroll(withId(id, replace)));
        ObjectNode doc = kibana.agentDocument(id);
        String stored = doc.path("replace_token").asString();
        assertThat(stored).matches("^\\$pbkdf2-sha512\\$210000\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+$");
        String[] parts = stored.split("\\$");
        assertThat(Base64.getDecoder().decode(parts[3])).as("salt").hasSize(64);
        assertThat(Base64.getDecoder().decode(parts[4])).as("derived key").hasSize(32);
        assertThat(doc.toString()).doesNotContain(replace);
    }

    @Test
    void item53_anInactiveAgentsIdIsTakenOverByAFreshDocument() throws Exception {
        String id = hostId();
        JsonNode first = item(enroll(withId(id, null)));
        kibana.setAgentField(id, "active", BooleanNode.FALSE);
        kibana.setAgentField(id, "unenrolled_at", Http.JSON.getNodeFactory().stringNode(SimulatedKibana.now()));
        Thread.sleep(1100);

        JsonNode second = item(enroll(withId(id, null)));

        assertThat(second.path("id").asString()).isEqualTo(id);
        assertThat(second.path("enrolled_at").asString())
                .isNotEqualTo(first.path("enrolled_at").asString());
        ObjectNode doc = kibana.agentDocument(id);
        assertThat(doc.path("active").asBoolean()).isTrue();
        assertThat(doc.has("unenrolled_at")).as("a fresh document: %s", doc).isFalse();
        assertThat(doc.path("enrolled_at").asString())
                .isEqualTo(second.path("enrolled_at").asString());
        assertThat(doc.path("access_api_key_id").asString())
                .isEqualTo(second.path("access_api_key_id").asString());
    }

    @Test
    void anEmptyIdMeansNoId() {
        JsonNode item = item(enroll(withId("", "")));
        assertThat(item.path("id").asString()).hasSize(36);
    }

    // ---------------------------------------------------------------- enrollment_id (item 54)

    @Test
    void item54_theSameEnrollmentIdBeforeAnyCheckinReplacesTheFirstAgent() {
        String enrollmentId = "enr-" + UUID.randomUUID();
        ObjectNode body = agentBody();
        body.put("enrollment_id", enrollmentId);

        JsonNode first = item(enroll(body));
        JsonNode second = item(enroll(body));

        String firstId = first.path("id").asString();
        String secondId = second.path("id").asString();
        assertThat(secondId).isNotEqualTo(firstId);
        assertThat(kibana.agentDocument(firstId))
                .as("the first agent's document is deleted")
                .isNull();
        ObjectNode doc = kibana.agentDocument(secondId);
        assertThat(doc.path("enrollment_id").asString()).isEqualTo(enrollmentId);
        await().atMost(Duration.ofSeconds(70))
                .untilAsserted(() -> assertThat(kibana.authenticates(
                                first.path("access_api_key").asString()))
                        .as("the first agent's key is invalidated")
                        .isFalse());
        assertThat(kibana.agentIdsWhere("enrollment_id", enrollmentId)).containsExactly(secondId);
    }

    @Test
    void q6_anEnrollmentIdWhoseAgentHasCheckedInNeverTouchesThatAgent() {
        String enrollmentId = "enr-" + UUID.randomUUID();
        ObjectNode body = agentBody();
        body.put("enrollment_id", enrollmentId);
        JsonNode first = item(enroll(body));
        String firstId = first.path("id").asString();
        SimulatedAgent agent = new SimulatedAgent(server.agentUri())
                .agentId(firstId)
                .accessApiKey(first.path("access_api_key").asString());
        assertThat(agent.checkin().status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> kibana.agentDocument(firstId).has("last_checkin"));

        Answer second = enroll(body);

        // upstream fails with an Elasticsearch 404 (503); recommended: a new agent, the old one untouched
        assertThat(second.status()).as("%s", second).isIn(200, 503);
        if (second.status() == 200) {
            assertThat(second.json().path("item").path("id").asString()).isNotEqualTo(firstId);
        }
        ObjectNode old = kibana.agentDocument(firstId);
        assertThat(old).as("the checked-in agent is kept").isNotNull();
        assertThat(old.path("access_api_key_id").asString())
                .isEqualTo(first.path("access_api_key_id").asString());
        assertThat(old.path("active").asBoolean()).isTrue();
    }

    @Test
    void concurrentEnrollmentsWithOneEnrollmentIdLeaveOneAgent() throws Exception {
        String enrollmentId = "enr-" + UUID.randomUUID();
        ObjectNode body = agentBody();
        body.put("enrollment_id", enrollmentId);
        List<java.util.concurrent.Future<Answer>> calls = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 6; i++) {
                calls.add(threads.submit(() -> enroll(body)));
            }
        }
        List<Answer> answers = new ArrayList<>();
        for (var call : calls) {
            answers.add(call.get());
        }
        assertThat(answers).extracting(Answer::status).allMatch(status -> status == 200 || status == 429);
        assertThat(answers).extracting(Answer::status).contains(200);
        for (Answer answer : answers) {
            if (answer.status() == 429) {
                assertFleetError(answer, 429, "EnrollDuplicate", "concurrent enrollment for same id: retry");
            }
        }
        assertThat(kibana.agentIdsWhere("enrollment_id", enrollmentId))
                .as("agents left with enrollment_id %s after %s", enrollmentId, answers)
                .hasSize(1);
    }

    @Test
    void item42_tagsAreSortedInGoStringOrder() {
        // Go sorts by UTF-8 bytes: U+FF5A (EF BD 9A) before U+1F600 (F0 9F 98 80); UTF-16 order is the reverse
        JsonNode item = item(enroll("{\"type\":\"PERMANENT\",\"metadata\":{\"local\":{},"
                + "\"tags\":[\"\ud83d\ude00\",\"\uff5a\",\"b\",\"B\",\"a\"]}}"));
        assertThat(item.path("tags").valueStream().map(JsonNode::asString).toList())
                .containsExactly("B", "a", "b", "\uff5a", "\ud83d\ude00");
    }

    @Test
    void item41_aNullElasticAgentIdIsReplacedToo() {
        JsonNode item = item(
                enroll("{\"type\":\"PERMANENT\",\"metadata\":{\"local\":{\"elastic\":{\"agent\":{\"id\":null}}}}}"));
        assertThat(item.path("local_metadata")
                        .path("elastic")
                        .path("agent")
                        .path("id")
                        .asString())
                .isEqualTo(item.path("id").asString());
    }

    // ---------------------------------------------------------------- static policy tokens (item 55)

    @Test
    void item55_aStaticPolicyTokenEnrollsWithoutElasticsearchKnowingTheKey() {
        String staticToken = Secrets.register(base64("anything:" + STATIC_KEY));
        JsonNode item = item(enroll(staticToken, UA, MINIMAL));
        assertThat(item.path("policy_id").asString()).isEqualTo(STATIC_POLICY);
        ObjectNode doc = kibana.agentDocument(item.path("id").asString());
        assertThat(doc.path("policy_id").asString()).isEqualTo(STATIC_POLICY);
        assertThat(doc.has("namespaces")).as("no namespaces: %s", doc).isFalse();
    }

    @Test
    void item55_aStaticPolicyTokenForAMissingPolicyIs400PolicyNotFound() {
        String staticToken = Secrets.register(base64("whatever:" + STATIC_KEY_NO_POLICY));
        assertFleetError(enroll(staticToken, UA, MINIMAL), 400, "ErrPolicyNotFound", "ErrPolicyNotFound");
    }
}
