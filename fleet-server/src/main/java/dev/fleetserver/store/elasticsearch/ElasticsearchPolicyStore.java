package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.search.Hit;
import dev.fleetserver.policy.PolicyDocument;
import dev.fleetserver.policy.PolicyFeed;
import dev.fleetserver.policy.PolicyStore;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Policy revisions in {@code .fleet-policies} (one document per revision), and the feed of new ones. */
final class ElasticsearchPolicyStore implements PolicyStore, PolicyFeed {

    private static final String POLICIES = FleetIndex.POLICIES.indexName();

    private final ElasticsearchConnection connection;
    private final ElasticsearchClient client;
    private final IndexMonitor monitor;

    ElasticsearchPolicyStore(ElasticsearchConnection connection, IndexMonitor monitor) {
        this.connection = connection;
        this.client = connection.client();
        this.monitor = monitor;
    }

    @Override
    public Optional<PolicyDocument> latest(String policyId) {
        try {
            return client
                    .search(
                            s -> s.index(POLICIES)
                                    .ignoreUnavailable(true)
                                    .size(1)
                                    .sort(o ->
                                            o.field(f -> f.field("revision_idx").order(SortOrder.Desc)))
                                    .query(q -> q.term(t -> t.field("policy_id").value(policyId))),
                            ObjectNode.class)
                    .hits()
                    .hits()
                    .stream()
                    .findFirst()
                    .map(ElasticsearchPolicyStore::document);
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return Optional.empty();
            }
            throw ElasticsearchErrors.translate(e, "read policy " + policyId, connection.describe());
        }
    }

    @Override
    public void follow(Consumer<List<PolicyDocument>> consumer) {
        monitor.follow(hits -> consumer.accept(
                hits.stream().map(ElasticsearchPolicyStore::document).toList()));
    }

    private static PolicyDocument document(Hit<ObjectNode> hit) {
        ObjectNode source = hit.source();
        JsonNode timestamp = source.get("@timestamp");
        JsonNode data = source.get("data");
        return new PolicyDocument(
                source.path("policy_id").asString(""),
                source.path("revision_idx").asLong(0),
                timestamp != null && timestamp.isString() ? timestamp.asString() : null,
                data instanceof ObjectNode object ? object : source.objectNode());
    }
}
