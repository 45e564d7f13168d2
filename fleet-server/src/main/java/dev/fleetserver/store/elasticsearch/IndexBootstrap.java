package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.HealthStatus;
import co.elastic.clients.elasticsearch.indices.CreateIndexRequest;
import co.elastic.clients.elasticsearch.indices.GetIndicesSettingsResponse;
import co.elastic.clients.elasticsearch.indices.IndexState;
import co.elastic.clients.elasticsearch.indices.PutMappingRequest;
import dev.fleetserver.store.StoreUnavailableException;
import java.io.StringReader;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Creates the {@code .fleet-*} indices with explicit mappings before anything reads or writes them
 * (data-model §4.1). Runs as the service account, so it only uses what that account may do on a node
 * without the Fleet plugin: {@code GET /<index>/_settings} to see whether a name exists, {@code PUT /<index>},
 * {@code _field_caps} and {@code PUT /<index>/_mapping}. Idempotent, and safe when several instances start
 * together: losing the creation race counts as success.
 *
 * <p>A name that resolves to another concrete index (the Fleet plugin's alias over {@code .fleet-*-7}) is
 * left untouched: the plugin owns its mappings.
 */
final class IndexBootstrap {

    private static final Logger log = LoggerFactory.getLogger(IndexBootstrap.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SETTINGS =
            "{\"number_of_shards\":1,\"auto_expand_replicas\":\"0-1\",\"index.hidden\":true}";

    private final ElasticsearchClient client;
    private final String where;

    IndexBootstrap(ElasticsearchClient client, String where) {
        this.client = client;
        this.where = where;
    }

    void run() {
        for (FleetIndex index : FleetIndex.values()) {
            prepare(index);
        }
    }

    private void prepare(FleetIndex index) {
        Existing existing = existing(index);
        if (existing == null) {
            create(index);
            existing = existing(index);
            if (existing == null) {
                throw new StoreUnavailableException(
                        StoreUnavailableException.Reason.ERROR,
                        index.indexName() + " is missing right after it was created");
            }
        } else if (existing.own()) {
            growMapping(index);
        }
        if (index.monitored()) {
            checkSingleShard(index, existing.state());
        }
    }

    /**
     * What the name resolves to, or null when it does not exist.
     *
     * @param own whether the name is our own plain index rather than an alias over another concrete index
     */
    private record Existing(IndexState state, boolean own) {}

    private @Nullable Existing existing(FleetIndex index) {
        try {
            GetIndicesSettingsResponse response = client.indices().getSettings(r -> r.index(index.indexName()));
            if (response.settings().isEmpty()) {
                return null;
            }
            IndexState own = response.settings().get(index.indexName());
            return own != null
                    ? new Existing(own, true)
                    : new Existing(response.settings().values().iterator().next(), false);
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return null;
            }
            throw ElasticsearchErrors.translate(e, "read the settings of " + index.indexName(), where);
        }
    }

    private void create(FleetIndex index) {
        String body = "{\"settings\":" + SETTINGS + ",\"mappings\":" + index.mappingJson() + "}";
        try {
            client.indices()
                    .create(CreateIndexRequest.of(
                            b -> b.index(index.indexName()).withJson(new StringReader(body))));
            log.info("Created index {}", index.indexName());
        } catch (Exception e) {
            if ("resource_already_exists_exception".equals(ElasticsearchErrors.errorType(e))) {
                // Another instance created it a moment ago; wait until its shards are usable.
                waitUntilUsable(index);
                return;
            }
            throw ElasticsearchErrors.translate(e, "create " + index.indexName(), where);
        }
    }

    private void waitUntilUsable(FleetIndex index) {
        try {
            client.cluster()
                    .health(r -> r.index(index.indexName())
                            .waitForStatus(HealthStatus.Yellow)
                            .timeout(t -> t.time("30s")));
        } catch (Exception e) {
            throw ElasticsearchErrors.translate(e, "wait for " + index.indexName(), where);
        }
    }

    /** Mappings only grow: add the fields of our mapping that the index lacks, never change a type. */
    private void growMapping(FleetIndex index) {
        String mapping = index.mappingJson();
        Set<String> missing = new LinkedHashSet<>(leafFields(mapping));
        try {
            missing.removeAll(client.fieldCaps(r -> r.index(index.indexName()).fields("*"))
                    .fields()
                    .keySet());
        } catch (Exception e) {
            throw ElasticsearchErrors.translate(e, "read the fields of " + index.indexName(), where);
        }
        if (missing.isEmpty()) {
            return;
        }
        try {
            client.indices()
                    .putMapping(
                            PutMappingRequest.of(b -> b.index(index.indexName()).withJson(new StringReader(mapping))));
            log.info("Added {} missing fields to the mapping of {}", missing.size(), index.indexName());
        } catch (Exception e) {
            throw ElasticsearchErrors.translate(e, "update the mapping of " + index.indexName(), where);
        }
    }

    private void checkSingleShard(FleetIndex index, IndexState state) {
        String shards = state.settings() == null || state.settings().index() == null
                ? null
                : state.settings().index().numberOfShards();
        if (shards != null && !shards.equals("1")) {
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.INCOMPATIBLE,
                    index.indexName() + " has " + shards
                            + " primary shards; Fleet Server needs exactly one to follow it by" + " sequence number");
        }
    }

    /** Every searchable leaf field a mapping declares, including multi-fields, as dotted paths. */
    static Set<String> leafFields(String mappingJson) {
        Set<String> fields = new LinkedHashSet<>();
        try {
            collect(JSON.readTree(mappingJson).path("properties"), "", fields);
        } catch (RuntimeException e) {
            throw new IllegalStateException("invalid mapping resource", e);
        }
        return fields;
    }

    private static void collect(JsonNode properties, String prefix, Set<String> fields) {
        for (Map.Entry<String, JsonNode> entry : properties.properties()) {
            String path = prefix + entry.getKey();
            JsonNode field = entry.getValue();
            String type = field.path("type").asString("object");
            if (type.equals("object") || type.equals("nested")) {
                if (field.path("enabled").asBoolean(true) && field.has("properties")) {
                    collect(field.path("properties"), path + ".", fields);
                }
                continue;
            }
            fields.add(path);
            for (Map.Entry<String, JsonNode> sub : field.path("fields").properties()) {
                fields.add(path + "." + sub.getKey());
            }
        }
    }
}
