package dev.fleetserver.conformance;

import static dev.fleetserver.conformance.Wire.assertFleetError;
import static dev.fleetserver.conformance.Wire.base64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.conformance.Wire.Answer;
import dev.fleetserver.testsupport.KibanaSide;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.Secrets;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestConfigs;
import dev.fleetserver.testsupport.TestStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.NullNode;

/**
 * Agent-bound authentication on checkin and acks (agent-api §7.1–§7.4, checklist items 12–23 and 33). Audit
 * unenroll (item 23's third endpoint) and artifacts (item 24) are not implemented by the server yet.
 */
@ExtendWith(NoSecretsInLogs.class)
class AuthenticationIT {

    private static RunningServer server;
    private static KibanaSide kibana;
    private static String enrollmentToken;
    private static SimulatedAgent a;
    private static SimulatedAgent b;

    /** The two agent-bound endpoints the server implements, with a body that would be valid. */
    enum Endpoint {
        CHECKIN("checkin", "{\"status\":\"online\",\"message\":\"Running\"}"),
        ACKS("acks", "{\"events\":[]}");

        final String path;
        final String body;

        Endpoint(String path, String body) {
            this.path = path;
            this.body = body;
        }
    }

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestStore.current().config(TestConfigs.SHORT_POLLS))
                .awaitHealthy();
        kibana = TestStore.current().kibana(server);
        String policyId =
                kibana.createPolicy("auth-" + UUID.randomUUID().toString().substring(0, 8));
        enrollmentToken = kibana.createEnrollmentToken(policyId);
        a = enrolled();
        b = enrolled();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static SimulatedAgent enrolled() {
        SimulatedAgent agent = new SimulatedAgent(server.agentUri());
        assertThat(agent.enroll(enrollmentToken).statusCode()).isEqualTo(200);
        return agent;
    }

    /** {@code POST /api/fleet/agents/<agentId>/<endpoint>?} with the agent's headers and these Authorization lines. */
    private static Answer call(Endpoint endpoint, String agentId, String... authorizations) {
        return callWithUserAgent(endpoint, agentId, "Elastic Agent v9.5.0", authorizations);
    }

    private static Answer callWithUserAgent(
            Endpoint endpoint, String agentId, String userAgent, String... authorizations) {
        List<String[]> headers = new ArrayList<>(Wire.agentHeaders(userAgent));
        for (String authorization : authorizations) {
            headers.add(new String[] {"Authorization", authorization});
        }
        return Wire.raw(
                server.agentUri(),
                "POST",
                "/api/fleet/agents/" + agentId + "/" + endpoint.path + "?",
                headers,
                endpoint.body.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- §7.1 parsing (items 12–17)

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item12_noAuthorizationHeaderIs401NoAuthHeader(Endpoint endpoint) {
        assertFleetError(call(endpoint, a.agentId()), 401, "ErrNoAuthHeader", "no authorization header");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item13_bearerIs400MalformedHeader(Endpoint endpoint) {
        assertFleetError(
                call(endpoint, a.agentId(), "Bearer xyz"), 400, "ErrMalformedHeader", "malformed authorization header");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item13_prefixIsCaseSensitiveAndNeedsItsSpace(Endpoint endpoint) {
        String key = a.accessApiKey();
        for (String header :
                new String[] {"apikey " + key, "APIKEY " + key, "ApiKey", "ApiKey" + key, "Basic " + key}) {
            assertFleetError(
                    call(endpoint, a.agentId(), header), 400, "ErrMalformedHeader", "malformed authorization header");
        }
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item14_twoAuthorizationLinesAre400MalformedHeaderEvenWhenBothAreValid(Endpoint endpoint) {
        String valid = "ApiKey " + a.accessApiKey();
        assertFleetError(
                call(endpoint, a.agentId(), valid, valid), 400, "ErrMalformedHeader", "malformed authorization header");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item15_notBase64Is401InvalidToken(Endpoint endpoint) {
        assertFleetError(call(endpoint, a.agentId(), "ApiKey %%%"), 401, "ErrInvalidToken", "token not valid utf8");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item15_base64WithoutItsPaddingIsNotStrictBase64(Endpoint endpoint) {
        // base64("ab:c") is "YWI6Yw==": standard base64 with padding, strict (§7.1 step 3)
        assertFleetError(call(endpoint, a.agentId(), "ApiKey YWI6Yw"), 401, "ErrInvalidToken", "token not valid utf8");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item15_decodedBytesThatAreNotUtf8Are401InvalidToken(Endpoint endpoint) {
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, ':', (byte) 0xc3, (byte) 0x28};
        assertFleetError(
                call(endpoint, a.agentId(), "ApiKey " + Base64.getEncoder().encodeToString(notUtf8)),
                401,
                "ErrInvalidToken",
                "token not valid utf8");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item16_aTokenWithoutColonIs400MalformedToken(Endpoint endpoint) {
        assertFleetError(
                call(endpoint, a.agentId(), "ApiKey " + base64("nocolon")),
                400,
                "ErrMalformedToken",
                "malformed token");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item17_aTokenWithTwoColonsIs400MalformedToken(Endpoint endpoint) {
        assertFleetError(
                call(endpoint, a.agentId(), "ApiKey " + base64("a:b:c")), 400, "ErrMalformedToken", "malformed token");
    }

    // ---------------------------------------------------------------- §7.2 verification (item 18)

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item18_aWellFormedKeyUnknownToElasticsearchIs401Unauthorized(Endpoint endpoint) {
        String unknown = Secrets.register(base64("unknownKeyId0000000:" + UUID.randomUUID()));
        assertFleetError(call(endpoint, a.agentId(), "ApiKey " + unknown), 401, "ErrUnauthorized", "unauthorized");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item18_theRightKeyIdWithAWrongSecretIsNotACacheHit(Endpoint endpoint) {
        // A's key is in the API key cache since enrollment (§7.3); a different secret must still be checked.
        String keyId = SimulatedKibana.apiKeyId(a.accessApiKey());
        String forged = Secrets.register(base64(keyId + ":" + "wrong-secret-" + UUID.randomUUID()));
        assertFleetError(call(endpoint, a.agentId(), "ApiKey " + forged), 401, "ErrUnauthorized", "unauthorized");
    }

    // ---------------------------------------------------------------- §7.4 agent binding (items 19–22)

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item19_theEnrollmentTokenIs403AgentIdentity(Endpoint endpoint) {
        assertFleetError(
                call(endpoint, a.agentId(), "ApiKey " + enrollmentToken),
                403,
                "ErrAgentIdentity",
                "Agent header contains wrong identifier");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item20_anotherAgentsKeyIs403AgentIdentity(Endpoint endpoint) {
        assertFleetError(
                call(endpoint, b.agentId(), "ApiKey " + a.accessApiKey()),
                403,
                "ErrAgentIdentity",
                "Agent header contains wrong identifier");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void item21_anUnknownAgentIdIs403AgentIdentityNot404(Endpoint endpoint) {
        assertFleetError(
                call(endpoint, UUID.randomUUID().toString(), "ApiKey " + a.accessApiKey()),
                403,
                "ErrAgentIdentity",
                "Agent header contains wrong identifier");
    }

    @Test
    void item22_23_anInactiveAgentWithAValidKeyIs401AgentInactiveOnCheckinAndAcks() {
        SimulatedAgent inactive = enrolled();
        kibana.setAgentField(inactive.agentId(), "active", BooleanNode.FALSE);
        assertThat(kibana.authenticates(inactive.accessApiKey()))
                .as("the key itself stays valid in Elasticsearch")
                .isTrue();

        for (Endpoint endpoint : Endpoint.values()) {
            assertFleetError(
                    call(endpoint, inactive.agentId(), "ApiKey " + inactive.accessApiKey()),
                    401,
                    "ErrAgentInactive",
                    "Agent inactive");
        }
        // and again, now that the key's cache entry was emptied (§7.4)
        for (Endpoint endpoint : Endpoint.values()) {
            assertFleetError(
                    call(endpoint, inactive.agentId(), "ApiKey " + inactive.accessApiKey()),
                    401,
                    "ErrAgentInactive",
                    "Agent inactive");
        }
    }

    @Test
    void anAgentDocumentWithoutAgentObjectIs400AgentCorrupted() {
        SimulatedAgent corrupted = enrolled();
        kibana.setAgentField(corrupted.agentId(), "agent", NullNode.getInstance());

        for (Endpoint endpoint : Endpoint.values()) {
            assertFleetError(
                    call(endpoint, corrupted.agentId(), "ApiKey " + corrupted.accessApiKey()),
                    400,
                    "ErrAgentCorrupted",
                    "Agent record corrupted");
        }
    }

    // ---------------------------------------------------------------- order of checks (item 33)

    @Test
    void item33_enrollWithAnInvalidKeyAndAnInvalidUserAgentIs401() {
        String unknown = Secrets.register(base64("unknownKeyId0000001:" + UUID.randomUUID()));
        List<String[]> headers = new ArrayList<>(Wire.agentHeaders("curl/8.0"));
        headers.add(new String[] {"Authorization", "ApiKey " + unknown});
        Answer answer = Wire.raw(
                server.agentUri(),
                "POST",
                "/api/fleet/agents/enroll?",
                headers,
                Wire.utf8("{\"type\":\"PERMANENT\",\"metadata\":{\"local\":{},\"tags\":[]}}"));
        assertFleetError(answer, 401, "ErrUnauthorized", "unauthorized");

        Answer noKey = Wire.raw(
                server.agentUri(),
                "POST",
                "/api/fleet/agents/enroll?",
                Wire.agentHeaders("curl/8.0"),
                Wire.utf8("{\"type\":\"PERMANENT\"}"));
        assertFleetError(noKey, 401, "ErrNoAuthHeader", "no authorization header");
    }

    @Test
    void item33_checkinAuthenticatesBeforeItLooksAtTheUserAgent() {
        assertFleetError(
                callWithUserAgent(Endpoint.CHECKIN, b.agentId(), "curl/8.0", "ApiKey " + a.accessApiKey()),
                403,
                "ErrAgentIdentity",
                "Agent header contains wrong identifier");
        assertFleetError(
                callWithUserAgent(Endpoint.CHECKIN, a.agentId(), "Elastic Agent v7.0.0"),
                401,
                "ErrNoAuthHeader",
                "no authorization header");
    }

    // ---------------------------------------------------------------- what works

    @Test
    void theAccessKeyWithSurroundingBlanksAfterThePrefixIsAccepted() {
        // "The rest of the value is trimmed of surrounding whitespace" (§7.1 step 3)
        Answer answer = call(Endpoint.ACKS, a.agentId(), "ApiKey   " + a.accessApiKey() + "  ");
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        assertThat(answer.json().path("action").asString()).isEqualTo("acks");
    }

    @Test
    void theEnrolledAgentsOwnKeyWorksOnBothEndpoints() {
        SimulatedAgent fresh = enrolled();
        SimulatedAgent.Checkin first = fresh.checkin();
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.actions()).hasSize(1);
        assertThat(fresh.ack(first.actions().getFirst()).statusCode()).isEqualTo(200);
    }
}
