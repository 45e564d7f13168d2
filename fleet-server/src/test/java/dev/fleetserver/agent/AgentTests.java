package dev.fleetserver.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class AgentTests {

    @Test
    void withoutDropsOnlyTheNamedFieldsAndLeavesTheOriginalAlone() {
        ObjectNode source = JsonNodeFactory.instance.objectNode();
        source.put("policy_id", "p1");
        source.putObject("outputs").putObject("default").put("api_key_id", "k1");
        source.putObject("local_metadata").putObject("host").put("name", "h1");
        source.putArray("components").addObject().put("id", "c1");
        Agent agent = new Agent("a1", source, new DocumentVersion(3, 1));

        Agent slim = agent.without(Set.of("local_metadata", "components"));

        assertThat(slim.id()).isEqualTo("a1");
        assertThat(slim.version()).isEqualTo(new DocumentVersion(3, 1));
        assertThat(slim.source().propertyNames()).containsExactly("policy_id", "outputs");
        assertThat(slim.policyId()).isEqualTo("p1");
        assertThat(slim.output("default"))
                .hasValueSatisfying(key -> assertThat(key.apiKeyId()).isEqualTo("k1"));
        assertThat(agent.source().propertyNames())
                .containsExactly("policy_id", "outputs", "local_metadata", "components");
    }
}
