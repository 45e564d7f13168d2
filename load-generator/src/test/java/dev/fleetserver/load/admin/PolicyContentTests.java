package dev.fleetserver.load.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class PolicyContentTests {

    @Test
    void theFirstRevisionHasTheOutputTheLogInputAndTheMetricsInputs() {
        ObjectNode data = PolicyContent.initial("http://127.0.0.1:9200", "id:key", 3);

        assertThat(data.path("outputs").path("default").path("hosts").get(0).asString())
                .isEqualTo("http://127.0.0.1:9200");
        assertThat(data.path("outputs").path("default").path("api_key").asString())
                .isEqualTo("id:key");
        assertThat(data.path("inputs").size()).isEqualTo(4);
        assertThat(data.path("output_permissions").path("default").has("metrics-2"))
                .isTrue();
    }

    @Test
    void withoutItsOwnKeyTheOutputGetsKeysFromTheServer() {
        ObjectNode data = PolicyContent.initial("http://es:9200", null, 0);

        assertThat(data.path("outputs").path("default").has("api_key")).isFalse();
        assertThat(data.path("inputs").size()).isEqualTo(1);
    }

    @Test
    void aRevisionWithoutPermissionChangeKeepsTheOutputPermissions() {
        ObjectNode data = PolicyContent.initial("http://es:9200", null, 1);
        JsonNode permissions = data.path("output_permissions").deepCopy();

        PolicyContent.advance(data, 2, false);

        assertThat(data.path("output_permissions")).isEqualTo(permissions);
        assertThat(data.path("inputs")
                        .path(0)
                        .path("streams")
                        .path(0)
                        .path("paths")
                        .get(0)
                        .asString())
                .isEqualTo("/var/log/generated/rev-2/*.log");
    }

    @Test
    void aPermissionChangeAddsADataStreamToWrite() {
        ObjectNode data = PolicyContent.initial("http://es:9200", null, 1);

        PolicyContent.advance(data, 3, true);

        assertThat(data.path("output_permissions")
                        .path("default")
                        .path("load-generator-rev-3")
                        .path("indices")
                        .get(0)
                        .path("names")
                        .get(0)
                        .asString())
                .isEqualTo("logs-generated.rev3-default");
    }
}
