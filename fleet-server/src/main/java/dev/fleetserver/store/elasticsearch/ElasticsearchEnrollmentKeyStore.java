package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch._types.SortOrder;
import dev.fleetserver.enrollment.EnrollmentKey;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Enrollment key records in {@code .fleet-enrollment-api-keys}, as Kibana writes them. */
final class ElasticsearchEnrollmentKeyStore implements EnrollmentKeyStore {

    private static final String INDEX = FleetIndex.ENROLLMENT_API_KEYS.indexName();
    private static final int MAX_KEYS = 10_000;

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
                            s -> s.index(INDEX)
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

    @Override
    public void create(String id, ObjectNode document) {
        try {
            client.create(c -> c.index(INDEX).id(id).document(document).refresh(Refresh.True));
        } catch (Exception e) {
            throw ElasticsearchErrors.translate(e, "store an enrollment key", connection.describe());
        }
    }

    @Override
    public Optional<ObjectNode> find(String id) {
        try {
            var response = client.get(g -> g.index(INDEX).id(id), ObjectNode.class);
            if (!response.found() || response.source() == null) {
                return Optional.empty();
            }
            ObjectNode source = response.source();
            if (!source.has("id")) {
                source.put("id", id);
            }
            return Optional.of(source);
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return Optional.empty();
            }
            throw ElasticsearchErrors.translate(e, "read an enrollment key", connection.describe());
        }
    }

    @Override
    public List<ObjectNode> all() {
        try {
            return client
                    .search(
                            s -> s.index(INDEX)
                                    .ignoreUnavailable(true)
                                    .size(MAX_KEYS)
                                    .sort(o ->
                                            o.field(f -> f.field("created_at").order(SortOrder.Desc))),
                            ObjectNode.class)
                    .hits()
                    .hits()
                    .stream()
                    .map(hit -> {
                        ObjectNode source = hit.source();
                        // Kibana's records carry no id of their own: the document id is the record's id.
                        if (!source.has("id")) {
                            source.put("id", hit.id());
                        }
                        return source;
                    })
                    .toList();
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return List.of();
            }
            throw ElasticsearchErrors.translate(e, "list enrollment keys", connection.describe());
        }
    }

    @Override
    public boolean update(String id, ObjectNode fields) {
        try {
            client.update(u -> u.index(INDEX).id(id).doc(fields).refresh(Refresh.True), ObjectNode.class);
            return true;
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return false;
            }
            throw ElasticsearchErrors.translate(e, "update an enrollment key", connection.describe());
        }
    }

    @Override
    public boolean delete(String id) {
        try {
            return client.delete(d -> d.index(INDEX).id(id).refresh(Refresh.True))
                            .result()
                    == co.elastic.clients.elasticsearch._types.Result.Deleted;
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return false;
            }
            throw ElasticsearchErrors.translate(e, "delete an enrollment key", connection.describe());
        }
    }
}
