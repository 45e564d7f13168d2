package dev.fleetserver.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class PolicyChangeActionTests {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static ObjectNode json(String singleQuoted) {
        return (ObjectNode) MAPPER.readTree(singleQuoted.replace('\'', '"'));
    }

    @Test
    void wrapsTheRenderedPolicy() {
        ObjectNode policy = json("{'id': 'eu-servers', 'revision': 8}");

        ObjectNode action = PolicyChangeAction.of(
                "eu-servers", 8, "2025-03-04T10:20:00.123Z", "0b7e2f5c-3d1a-4c2e-9a61-6f0f4f1c9d10", policy);

        assertThat(action).isEqualTo(json("""
                        {'id': 'policy:eu-servers:8', 'type': 'POLICY_CHANGE',
                         'agent_id': '0b7e2f5c-3d1a-4c2e-9a61-6f0f4f1c9d10',
                         'created_at': '2025-03-04T10:20:00.123Z', 'input_type': '',
                         'data': {'policy': {'id': 'eu-servers', 'revision': 8}}}
                        """));
    }

    @Test
    void aRevisionWithoutTimestampHasAnEmptyCreationTime() {
        ObjectNode action = PolicyChangeAction.of("p", 1, null, "a", json("{}"));

        assertThat(action.get("created_at").stringValue()).isEmpty();
    }

    @Test
    void itsIdParsesBack() {
        ObjectNode action = PolicyChangeAction.of("linux-web-tier", 7, null, "a", json("{}"));

        assertThat(PolicyChangeAction.parseAckId(action.get("id").stringValue()))
                .contains(new PolicyAckId("linux-web-tier", 7));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            policy:eu-servers:8      | eu-servers | 8
            policy:eu-servers:8:1    | eu-servers | 8
            policy:p:0:whatever      | p          | 0
            policy:p:+5              | p          | 5
            policy:p:-1              | p          | -1
            policy:p:9223372036854775807 | p      | 9223372036854775807
            """)
    void parsesPolicyAckIds(String actionId, String policyId, long revision) {
        assertThat(PolicyChangeAction.parseAckId(actionId)).contains(new PolicyAckId(policyId, revision));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "policy",
                "policy:p",
                "policy:p:",
                "policy:p:x",
                "policy:p:1.5",
                "policy:p: 1",
                "policy:p:1:2:3",
                "Policy:p:1",
                "policies:p:1",
                "policy:p:9223372036854775808",
                "policy:p:\u0663",
                "0b8a6c1e-29f4-4b9e-b3d1-7a5c2e9f4d60"
            })
    void anythingElseIsNotAPolicyAck(String actionId) {
        assertThat(PolicyChangeAction.parseAckId(actionId)).isEqualTo(Optional.empty());
    }
}
