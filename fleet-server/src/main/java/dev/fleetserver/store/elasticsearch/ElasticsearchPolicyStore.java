package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.search.Hit;
import dev.fleetserver.policy.PolicyDocument;
import dev.fleetserver.policy.PolicyFeed;
import dev.fleetserver.policy.PolicyStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/** Policy revisions in {@code .fleet-policies} (one document per revision), and the feed of new ones. */
final class ElasticsearchPolicyStore implements PolicyStore, PolicyFeed {

    private static final String POLICIES = FleetIndex.POLICIES.indexName();

    private static final int MAX_POLICIES = 10_000;

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
        return latestDocument(policyId).map(PolicyDocument::of);
    }

    @Override
    public Optional<ObjectNode> latestDocument(String policyId) {
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
                    .map(Hit::source);
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return Optional.empty();
            }
            throw ElasticsearchErrors.translate(e, "read policy " + policyId, connection.describe());
        }
    }

    @Override
    public List<ObjectNode> latestDocuments() {
        try {
            // One hit per policy: the collapsed group's top document by revision.
            return client
                    .search(
                            s -> s.index(POLICIES)
                                    .ignoreUnavailable(true)
                                    .size(MAX_POLICIES)
                                    .collapse(c -> c.field("policy_id"))
                                    .sort(o ->
                                            o.field(f -> f.field("revision_idx").order(SortOrder.Desc))),
                            ObjectNode.class)
                    .hits()
                    .hits()
                    .stream()
                    .map(Hit::source)
                    .toList();
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return List.of();
            }
            throw ElasticsearchErrors.translate(e, "list policies", connection.describe());
        }
    }

    @Override
    public boolean addRevision(ObjectNode document) {
        String policyId = document.path("policy_id").asString("");
        long revision = document.path("revision_idx").asLong(0);
        // A name-based id per policy and revision: two writers of the same revision collide instead of both
        // succeeding.
        String id = UUID.nameUUIDFromBytes((policyId + ":" + revision).getBytes(StandardCharsets.UTF_8))
                .toString();
        try {
            client.create(c -> c.index(POLICIES).id(id).document(document).refresh(Refresh.True));
            return true;
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 409) {
                return false;
            }
            throw ElasticsearchErrors.translate(e, "write policy " + policyId, connection.describe());
        }
    }

    @Override
    public long deleteRevisions(String policyId) {
        long deleted = 0;
        try {
            while (true) {
                client.indices().refresh(r -> r.index(POLICIES).ignoreUnavailable(true));
                List<String> ids = client
                        .search(
                                s -> s.index(POLICIES)
                                        .ignoreUnavailable(true)
                                        .size(1000)
                                        .source(src -> src.fetch(false))
                                        .query(q ->
                                                q.term(t -> t.field("policy_id").value(policyId))),
                                Void.class)
                        .hits()
                        .hits()
                        .stream()
                        .map(Hit::id)
                        .toList();
                if (ids.isEmpty()) {
                    return deleted;
                }
                var bulk = new BulkRequest.Builder().refresh(Refresh.True);
                ids.forEach(id ->
                        bulk.operations(op -> op.delete(d -> d.index(POLICIES).id(id))));
                client.bulk(bulk.build());
                deleted += ids.size();
            }
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return deleted;
            }
            throw ElasticsearchErrors.translate(e, "delete policy " + policyId, connection.describe());
        }
    }

    @Override
    public void follow(Consumer<List<PolicyDocument>> consumer) {
        monitor.follow(hits -> consumer.accept(
                hits.stream().map(ElasticsearchPolicyStore::document).toList()));
    }

    private static PolicyDocument document(Hit<ObjectNode> hit) {
        return PolicyDocument.of(hit.source());
    }
}
