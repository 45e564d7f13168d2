package dev.fleetserver.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class DeliverablePolicyTests {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static ObjectNode json(String singleQuoted) {
        return (ObjectNode) MAPPER.readTree(singleQuoted.replace('\'', '"'));
    }

    @Test
    void keepsOnlyTheDeliveredTopLevelKeys() {
        ObjectNode data = json("""
                {'id': 'p', 'revision': 7, 'outputs': {'default': {'type': 'elasticsearch'}},
                 'output_permissions': {'default': {'r': {}}}, 'inputs': [{'id': 'i'}],
                 'agent': {'monitoring': {'enabled': true}}, 'fleet': {'hosts': ['https://f']},
                 'signed': {'data': 'ZGF0YQ==', 'signature': 'c2ln'},
                 'receivers': {'r': {}}, 'processors': {'p': {}}, 'exporters': {'e': null},
                 'extensions': {'x': {}}, 'connectors': {'c': {}}, 'service': {'pipelines': {}},
                 'secret_references': [{'id': 's'}], 'namespaces': ['default'], 'some_future_key': 1}
                """);

        ObjectNode deliverable = DeliverablePolicy.of(data, List.of());

        assertThat(deliverable.propertyNames())
                .containsExactly(
                        "id",
                        "revision",
                        "outputs",
                        "output_permissions",
                        "inputs",
                        "agent",
                        "fleet",
                        "signed",
                        "receivers",
                        "processors",
                        "exporters",
                        "extensions",
                        "connectors",
                        "service");
        assertThat(deliverable.get("signed")).isEqualTo(data.get("signed"));
        assertThat(deliverable.get("exporters")).isEqualTo(json("{'e': null}"));
    }

    @Test
    void leavesOutEmptyValues() {
        ObjectNode data = json("""
                {'id': '', 'revision': 0, 'outputs': {}, 'output_permissions': null, 'inputs': [],
                 'agent': {}, 'fleet': {}, 'receivers': {}, 'service': {}}
                """);

        assertThat(DeliverablePolicy.of(data, List.of())).isEqualTo(json("{}"));
    }

    @Test
    void addsTheSecretPathsWhenThereAreAny() {
        ObjectNode data = json("{'id': 'p', 'revision': 2}");

        assertThat(DeliverablePolicy.of(data, List.of("fleet.token", "inputs.0.streams.0.password")))
                .isEqualTo(json(
                        "{'id': 'p', 'revision': 2, 'secret_paths': ['fleet.token', 'inputs.0.streams.0.password']}"));
        assertThat(DeliverablePolicy.of(data, List.of())).isEqualTo(json("{'id': 'p', 'revision': 2}"));
    }

    @Test
    void copiesSoThatPerAgentChangesDoNotLeakIntoTheRevision() {
        ObjectNode data = json("{'outputs': {'default': {'type': 'elasticsearch'}}, 'inputs': [{'id': 'i'}]}");

        ObjectNode deliverable = DeliverablePolicy.of(data, List.of());
        ((ObjectNode) deliverable.at("/outputs/default")).put("api_key", "id:key");
        ((ObjectNode) deliverable.at("/inputs/0")).put("id", "changed");

        assertThat(data)
                .isEqualTo(json("{'outputs': {'default': {'type': 'elasticsearch'}}, 'inputs': [{'id': 'i'}]}"));
    }
}
