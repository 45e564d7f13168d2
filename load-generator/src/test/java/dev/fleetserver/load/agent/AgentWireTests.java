package dev.fleetserver.load.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AgentWireTests {

    private final AgentWire.AgentIdentity identity = AgentWire.AgentIdentity.random(7);

    @Test
    void requestsCarryTheTrailingQuestionMarkAndTheAgentsHeaders() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String request = new String(
                AgentWire.request(
                        "POST", "/api/fleet/agents/a1/checkin", "127.0.0.1:8220", "9.5.0", "ApiKey k", body, true),
                StandardCharsets.ISO_8859_1);

        assertThat(request).startsWith("POST /api/fleet/agents/a1/checkin? HTTP/1.1\r\nHost: 127.0.0.1:8220\r\n");
        assertThat(request)
                .contains("User-Agent: Elastic Agent v9.5.0\r\n")
                .contains("Elastic-Api-Version: 2023-06-01\r\n")
                .contains("Authorization: ApiKey k\r\n")
                .contains("Content-Encoding: gzip\r\n")
                .contains("Accept-Encoding: gzip\r\n")
                .contains("Kbn-Xsrf: 1\r\n")
                .contains("Content-Length: 2\r\n")
                .endsWith("\r\n\r\n{}");
        assertThat(request).containsPattern("X-Request-Id: [0-9A-HJKMNP-TV-Z]{26}\r\n");
    }

    @Test
    void aFreshAgentsCheckinHasNoTokenNoPolicyAndEmptyComponents() throws IOException {
        JsonNode body = gunzip(AgentWire.checkinBody(identity, "a1", "9.5.0", null, null, 0));

        assertThat(body.path("status").asString()).isEqualTo("online");
        assertThat(body.has("ack_token")).isFalse();
        assertThat(body.has("agent_policy_id")).isFalse();
        assertThat(body.has("policy_revision_idx")).isFalse();
        assertThat(body.path("components").isArray()).isTrue();
        assertThat(body.path("components").isEmpty()).isTrue();
        assertThat(body.path("upgrade").isObject()).isTrue();
        assertThat(body.path("local_metadata")
                        .path("elastic")
                        .path("agent")
                        .path("id")
                        .asString())
                .isEqualTo("a1");
    }

    @Test
    void anAgentRunningAPolicyReportsItAndItsToken() throws IOException {
        JsonNode body = gunzip(AgentWire.checkinBody(identity, "a1", "9.5.0", "tok-1", "pol", 3));

        assertThat(body.path("ack_token").asString()).isEqualTo("tok-1");
        assertThat(body.path("agent_policy_id").asString()).isEqualTo("pol");
        assertThat(body.path("policy_revision_idx").asLong()).isEqualTo(3);
        assertThat(body.path("components").path(0).path("status").asString()).isEqualTo("HEALTHY");
    }

    @Test
    void ackEventsAreWhatTheAgentSends() {
        JsonNode action = AgentWire.JSON.readTree(
                "{\"id\":\"policy:p:2\",\"type\":\"POLICY_CHANGE\",\"data\":{\"policy\":{\"id\":\"p\",\"revision\":2}}}");

        JsonNode event = AgentWire.ackEvent(action, "a1", null);

        assertThat(event.path("type").asString()).isEqualTo("ACTION_RESULT");
        assertThat(event.path("subtype").asString()).isEqualTo("ACKNOWLEDGED");
        assertThat(event.path("action_id").asString()).isEqualTo("policy:p:2");
        assertThat(event.path("message").asString())
                .isEqualTo("Action \"policy:p:2\" of type \"POLICY_CHANGE\" acknowledged.");
        assertThat(event.has("error")).isFalse();
    }

    @Test
    void timestampsLookLikeGosTimeJson() {
        OffsetDateTime time = OffsetDateTime.of(2026, 8, 21, 11, 20, 31, 481_920_100, ZoneOffset.ofHours(2));

        assertThat(AgentWire.goTimestamp(time)).isEqualTo("2026-08-21T11:20:31.4819201+02:00");
        assertThat(AgentWire.goTimestamp(time.withNano(0).withOffsetSameLocal(ZoneOffset.UTC)))
                .isEqualTo("2026-08-21T11:20:31Z");
    }

    private static JsonNode gunzip(byte[] gzipped) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return AgentWire.JSON.readTree(in.readAllBytes());
        }
    }
}
