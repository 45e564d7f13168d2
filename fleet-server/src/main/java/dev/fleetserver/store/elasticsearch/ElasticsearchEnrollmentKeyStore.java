package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import dev.fleetserver.enrollment.EnrollmentKey;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Enrollment key records in {@code .fleet-enrollment-api-keys}, as Kibana writes them. */
final class ElasticsearchEnrollmentKeyStore implements EnrollmentKeyStore {

    private final ElasticsearchConnection connection;
    private final ElasticsearchClient client;

    ElasticsearchEnrollmentKeyStore(ElasticsearchConnection connection) {
        this.connection = connection;
        this.client = connection.client();
    }

    @Override
    public List<EnrollmentKey> findActive(String apiKeyId) {
        try {
            var hits = client.search(
                            s -> s.index(FleetIndex.ENROLLMENT_API_KEYS.indexName())
                                    .ignoreUnavailable(true)
                                    .size(10)
                                    .query(q -> q.bool(b -> b.filter(f -> f.term(
                                                    t -> t.field("api_key_id").value(apiKeyId)))
                                            .filter(f -> f.term(
                                                    t -> t.field("active").value(true))))),
                            ObjectNode.class)
                    .hits()
                    .hits();
            List<EnrollmentKey> keys = new ArrayList<>();
            for (var hit : hits) {
                ObjectNode source = hit.source();
                List<String> namespaces = new ArrayList<>();
                for (JsonNode namespace : source.path("namespaces")) {
                    namespaces.add(namespace.asString());
                }
                keys.add(new EnrollmentKey(apiKeyId, source.path("policy_id").asString(""), List.copyOf(namespaces)));
            }
            return keys;
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return List.of();
            }
            throw ElasticsearchErrors.translate(e, "look up an enrollment key", connection.describe());
        }
    }

    @Override
    public boolean policyExists(String policyId) {
        try {
            return client.search(
                                    s -> s.index(FleetIndex.POLICIES.indexName())
                                            .ignoreUnavailable(true)
                                            .size(0)
                                            .trackTotalHits(t -> t.enabled(true))
                                            .query(q -> q.term(
                                                    t -> t.field("policy_id").value(policyId))),
                                    Void.class)
                            .hits()
                            .total()
                            .value()
                    > 0;
        } catch (Exception e) {
            throw ElasticsearchErrors.translate(e, "look up policy " + policyId, connection.describe());
        }
    }
}
