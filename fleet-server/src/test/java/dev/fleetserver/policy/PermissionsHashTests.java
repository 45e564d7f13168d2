package dev.fleetserver.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class PermissionsHashTests {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** Computed here from the canonical text written out by hand, not through {@link GoJson}. */
    private static String sha256Hex(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void hashesTheDefaultAgentChecksRole() throws Exception {
        // data-model §8 item 13.
        JsonNode permissions = MAPPER.readTree("{ \"_elastic_agent_checks\" : { \"cluster\" : [ \"monitor\" ] } }");

        assertThat(PermissionsHash.of(permissions))
                .isEqualTo(sha256Hex("{\"_elastic_agent_checks\":{\"cluster\":[\"monitor\"]}}\n"))
                .matches("[0-9a-f]{64}");
    }

    @Test
    void keyOrderAndWhitespaceDoNotChangeTheHash() {
        JsonNode a =
                MAPPER.readTree("{\"r\":{\"indices\":[{\"names\":[\"logs-*\"],\"privileges\":[\"read\"]}]},\"c\":1}");
        JsonNode b = MAPPER.readTree(
                "{ \"c\": 1.0, \"r\": { \"indices\": [ { \"privileges\": [\"read\"], \"names\": [\"logs-*\"] } ] } }");

        assertThat(PermissionsHash.of(a)).isEqualTo(PermissionsHash.of(b));
    }

    @Test
    void hashesTheHtmlEscapedForm() throws Exception {
        JsonNode permissions = MAPPER.readTree("{\"r\":{\"query\":\"a<b && c>d\"}}");

        assertThat(PermissionsHash.of(permissions))
                .isEqualTo(sha256Hex("{\"r\":{\"query\":\"a\\u003cb \\u0026\\u0026 c\\u003ed\"}}\n"));
    }

    @Test
    void differentPermissionsGiveDifferentHashes() {
        assertThat(PermissionsHash.of(MAPPER.readTree("{\"r\":{\"cluster\":[\"monitor\"]}}")))
                .isNotEqualTo(PermissionsHash.of(MAPPER.readTree("{\"r\":{\"cluster\":[\"all\"]}}")));
    }
}
