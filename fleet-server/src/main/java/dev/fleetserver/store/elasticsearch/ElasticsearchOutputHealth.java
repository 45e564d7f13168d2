package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.indices.CreateIndexRequest;
import dev.fleetserver.apikey.OutputHealth;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Output-health documents for remote outputs (data-model §5.10), in {@code logs-fleet_server.output_health-default}.
 * Where the node has no data streams the index is created on first use with an explicit mapping; where a
 * {@code logs-*-*} data stream template exists, the first write creates the data stream instead.
 */
final class ElasticsearchOutputHealth implements OutputHealth {

    private static final Logger log = LoggerFactory.getLogger(ElasticsearchOutputHealth.class);
    static final String INDEX = "logs-fleet_server.output_health-default";

    private final ElasticsearchConnection connection;
    private volatile boolean indexReady;

    ElasticsearchOutputHealth(ElasticsearchConnection connection) {
        this.connection = connection;
    }

    @Override
    public void report(String outputName, boolean healthy, String message) {
        try {
            ensureIndex();
            ObjectNode document = OutputHealth.document(outputName, healthy, message, Instant.now());
            connection
                    .client()
                    .create(c -> c.index(INDEX)
                            .id(UUID.randomUUID().toString())
                            .document(document)
                            .refresh(Refresh.True));
        } catch (Exception e) {
            log.warn("Could not report the health of output {}: {}", outputName, e.getMessage());
        }
    }

    private void ensureIndex() throws IOException {
        if (indexReady) {
            return;
        }
        String body = "{\"settings\":{\"number_of_shards\":1,\"auto_expand_replicas\":\"0-1\"},\"mappings\":"
                + mapping() + "}";
        try {
            connection
                    .client()
                    .indices()
                    .create(CreateIndexRequest.of(b -> b.index(INDEX).withJson(new StringReader(body))));
        } catch (Exception e) {
            // Already there, or a logs-*-* template makes it a data stream that the first write creates.
            boolean dataStream = String.valueOf(e.getMessage()).contains("data stream");
            if (!dataStream && !"resource_already_exists_exception".equals(ElasticsearchErrors.errorType(e))) {
                throw e instanceof IOException io ? io : new IOException(e);
            }
        }
        indexReady = true;
    }

    private static String mapping() {
        String path = "elasticsearch/mappings/" + INDEX + ".json";
        try (InputStream in = ElasticsearchOutputHealth.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
