package dev.fleetserver.store.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.health.HealthState;
import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.TestConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/** The bootstrap of the {@code .fleet-*} indices on a real node without the Fleet plugin (data-model §4, §8). */
@ExtendWith({NoSecretsInLogs.class, OutputCaptureExtension.class})
class IndexBootstrapIT {

    private final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());

    @Test
    void aFreshNodeGetsEveryIndexWithItsMapping() {
        admin.deleteFleetIndices();

        try (var server = RunningServer.start(TestConfigs.forNode(admin.node())).awaitHealthy()) {
            for (FleetIndex index : FleetIndex.values()) {
                String name = index.indexName();
                JsonNode settings = admin.json("GET", "/" + name + "/_settings", null)
                        .path(name)
                        .path("settings")
                        .path("index");
                assertThat(settings.path("hidden").asString()).as(name).isEqualTo("true");
                assertThat(settings.path("number_of_shards").asString())
                        .as(name)
                        .isEqualTo("1");
                assertThat(settings.path("auto_expand_replicas").asString())
                        .as(name)
                        .isEqualTo("0-1");

                JsonNode mapping = admin.json("GET", "/" + name + "/_mapping", null)
                        .path(name)
                        .path("mappings");
                assertThat(mapping.path("dynamic").asString()).as(name).isEqualTo("false");
                assertThat(mapping.path("_meta")
                                .path("managed_index_mappings_version")
                                .asInt())
                        .as(name)
                        .isPositive();
                assertThat(mappedFields(name)).as(name).containsAll(IndexBootstrap.leafFields(index.mappingJson()));
            }
            JsonNode agentFields = admin.json(
                    "GET", "/.fleet-agents/_field_caps?fields=access_api_key_id,local_metadata.host.hostname", null);
            assertThat(agentFields.path("fields").path("access_api_key_id").has("keyword"))
                    .isTrue();
            assertThat(agentFields
                            .path("fields")
                            .path("local_metadata.host.hostname")
                            .has("text"))
                    .isTrue();
            JsonNode policyData = admin.json("GET", "/.fleet-policies/_field_caps?fields=data*", null);
            assertThat(policyData.path("fields").has("data")).isFalse();
        }
    }

    @Test
    void aSecondStartChangesNothing() {
        admin.deleteFleetIndices();
        Map<String, String> uuids;
        JsonNode mappingsBefore;
        try (var first = RunningServer.start(TestConfigs.forNode(admin.node())).awaitHealthy()) {
            admin.json(
                    "PUT",
                    "/.fleet-agents/_doc/agent-1?refresh=true",
                    "{\"active\":true,\"user_provided_metadata\":{\"k\":1}}");
            uuids = uuids();
            mappingsBefore = admin.json("GET", "/.fleet-*/_mapping?expand_wildcards=all", null);
        }

        try (var second = RunningServer.start(TestConfigs.forNode(admin.node())).awaitHealthy()) {
            assertThat(uuids()).isEqualTo(uuids);
            // Object nodes compare their properties regardless of order.
            assertThat(admin.json("GET", "/.fleet-*/_mapping?expand_wildcards=all", null))
                    .isEqualTo(mappingsBefore);
            JsonNode agent =
                    admin.json("GET", "/.fleet-agents/_doc/agent-1", null).path("_source");
            assertThat(agent.path("user_provided_metadata").path("k").asInt()).isEqualTo(1);
        }
    }

    @Test
    void twoInstancesStartingTogetherBothBecomeReady() {
        admin.deleteFleetIndices();

        var one = CompletableFuture.supplyAsync(() -> RunningServer.start(TestConfigs.forNode(admin.node())));
        var two = CompletableFuture.supplyAsync(() -> RunningServer.start(TestConfigs.forNode(admin.node())));
        try (RunningServer a = one.join();
                RunningServer b = two.join()) {
            a.awaitHealthy();
            b.awaitHealthy();
            JsonNode indices =
                    admin.json("GET", "/_cat/indices/.fleet-*?format=json&expand_wildcards=all&h=index", null);
            List<String> names = new ArrayList<>();
            indices.forEach(index -> names.add(index.path("index").asString()));
            // .fleet-secrets is Kibana's (tests create it and deleteFleetIndices keeps it); the server never does.
            names.remove(".fleet-secrets");
            assertThat(names)
                    .containsExactlyInAnyOrderElementsOf(java.util.Arrays.stream(FleetIndex.values())
                            .map(FleetIndex::indexName)
                            .toList());
        }
    }

    @Test
    void aFleetPluginAliasIsLeftUntouched() {
        admin.deleteFleetIndices();
        admin.json("PUT", "/.fleet-servers-7", """
                {"settings": {"index.hidden": true, "number_of_shards": 1, "auto_expand_replicas": "0-1"},
                 "mappings": {"dynamic": false, "properties": {"agent": {"properties": {"id": {"type": "keyword"}}}}},
                 "aliases": {".fleet-servers": {"is_hidden": true}}}
                """);

        try (var server = RunningServer.start(TestConfigs.forNode(admin.node())).awaitHealthy()) {
            assertThat(mappedFields(".fleet-servers-7")).containsExactly("agent.id");
            JsonNode resolved = admin.json("GET", "/_resolve/index/.fleet-servers*?expand_wildcards=all", null);
            assertThat(resolved.path("aliases").get(0).path("name").asString()).isEqualTo(".fleet-servers");
            assertThat(resolved.path("indices")).hasSize(1);
            assertThat(resolved.path("indices").get(0).path("name").asString()).isEqualTo(".fleet-servers-7");
        }
        admin.request("DELETE", "/.fleet-servers-7", null);
    }

    @Test
    void anExistingIndexOfOursGetsTheFieldsItLacks() {
        admin.deleteFleetIndices();
        admin.json("PUT", "/.fleet-artifacts", """
                {"settings": {"index.hidden": true, "number_of_shards": 1, "auto_expand_replicas": "0-1"},
                 "mappings": {"dynamic": false, "properties": {"identifier": {"type": "keyword"}}}}
                """);
        admin.json("PUT", "/.fleet-artifacts/_doc/a1?refresh=true", "{\"identifier\":\"x\"}");

        try (var server = RunningServer.start(TestConfigs.forNode(admin.node())).awaitHealthy()) {
            assertThat(mappedFields(".fleet-artifacts"))
                    .containsAll(IndexBootstrap.leafFields(FleetIndex.ARTIFACTS.mappingJson()));
            assertThat(admin.json("GET", "/.fleet-artifacts/_doc/a1", null)
                            .path("found")
                            .asBoolean())
                    .isTrue();
        }
    }

    @Test
    void aMonitoredIndexWithSeveralShardsIsRefusedWithOneClearLine(CapturedOutput output) {
        admin.deleteFleetIndices();
        admin.json(
                "PUT",
                "/.fleet-actions",
                "{\"settings\": {\"index.hidden\": true, \"number_of_shards\": 2, \"auto_expand_replicas\": \"0-1\"}}");

        try (var server = RunningServer.start(TestConfigs.forNode(admin.node()))) {
            await(Duration.ofSeconds(5));
            assertThat(server.state()).isEqualTo(HealthState.STARTING);
            assertThat(output.getOut().lines().filter(l -> l.contains(".fleet-actions has 2 primary shards")))
                    .hasSize(1);
        } finally {
            admin.deleteFleetIndices();
        }
    }

    private Set<String> mappedFields(String index) {
        JsonNode fields =
                admin.json("GET", "/" + index + "/_field_caps?fields=*", null).path("fields");
        Set<String> names = new TreeSet<>();
        for (String name : fields.propertyNames()) {
            if (!name.startsWith("_") && !fields.path(name).has("object")) {
                names.add(name);
            }
        }
        return names;
    }

    private Map<String, String> uuids() {
        Map<String, String> uuids = new java.util.TreeMap<>();
        admin.json("GET", "/_cat/indices/.fleet-*?format=json&expand_wildcards=all&h=index,uuid", null)
                .forEach(index -> uuids.put(
                        index.path("index").asString(), index.path("uuid").asString()));
        return uuids;
    }

    private static void await(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
