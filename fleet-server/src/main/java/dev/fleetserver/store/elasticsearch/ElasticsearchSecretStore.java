package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import dev.fleetserver.secret.SecretStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Secrets in {@code .fleet-secrets}, read with the document API (the Fleet plugin's {@code _fleet/secret} API
 * may not exist). A missing index or document means "no such secret".
 */
final class ElasticsearchSecretStore implements SecretStore {

    private static final String SECRETS = ".fleet-secrets";

    private final ElasticsearchConnection connection;

    ElasticsearchSecretStore(ElasticsearchConnection connection) {
        this.connection = connection;
    }

    @Override
    public Map<String, String> read(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        try {
            var response = connection.client().mget(m -> m.index(SECRETS).ids(List.copyOf(ids)), ObjectNode.class);
            Map<String, String> values = new HashMap<>();
            for (MultiGetResponseItem<ObjectNode> item : response.docs()) {
                if (item.isResult() && item.result().found() && item.result().source() != null) {
                    values.put(
                            item.result().id(),
                            item.result().source().path("value").asString(""));
                }
            }
            return values;
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return Map.of();
            }
            throw ElasticsearchErrors.translate(e, "read secrets", connection.describe());
        }
    }
}
