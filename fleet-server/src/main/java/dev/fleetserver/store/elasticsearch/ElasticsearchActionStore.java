package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.search.Hit;
import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionFeed;
import dev.fleetserver.action.ActionStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * Actions in {@code .fleet-actions} and results in {@code .fleet-actions-results}; also the feed of new actions,
 * through an {@link IndexMonitor} on {@code .fleet-actions} that only hands over unexpired ones.
 */
final class ElasticsearchActionStore implements ActionStore, ActionFeed {

    private static final String ACTIONS = FleetIndex.ACTIONS.indexName();
    private static final String RESULTS = FleetIndex.ACTIONS_RESULTS.indexName();

    private static final int RESULTS_PAGE = 1000;

    private final ElasticsearchConnection connection;
    private final ElasticsearchClient client;
    private final IndexMonitor monitor;

    ElasticsearchActionStore(ElasticsearchConnection connection, IndexMonitor monitor) {
        this.connection = connection;
        this.client = connection.client();
        this.monitor = monitor;
    }

    @Override
    public List<ActionDocument> pendingFor(String agentId, long after, long upTo, int limit) {
        if (upTo <= after) {
            return List.of();
        }
        try {
            return client
                    .search(
                            s -> s.index(ACTIONS)
                                    .ignoreUnavailable(true)
                                    .seqNoPrimaryTerm(true)
                                    .size(limit)
                                    .source(src -> src.filter(f -> f.excludes("agents")))
                                    .sort(o -> o.field(f -> f.field("_seq_no").order(SortOrder.Asc)))
                                    .query(q -> q.bool(b -> b.filter(f -> f.range(r -> r.number(n -> n.field("_seq_no")
                                                    .gt((double) after)
                                                    .lte((double) upTo))))
                                            .filter(f -> f.range(r -> r.date(
                                                    d -> d.field("expiration").gt("now"))))
                                            .filter(f -> f.terms(t -> t.field("agents")
                                                    .terms(v -> v.value(List.of(
                                                            co.elastic.clients.elasticsearch._types.FieldValue.of(
                                                                    agentId)))))))),
                            ObjectNode.class)
                    .hits()
                    .hits()
                    .stream()
                    .map(ElasticsearchActionStore::document)
                    .toList();
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return List.of();
            }
            throw ElasticsearchErrors.translate(e, "read pending actions", connection.describe());
        }
    }

    @Override
    public OptionalLong positionOf(String documentId) {
        try {
            var response = client.get(g -> g.index(ACTIONS).id(documentId).sourceExcludes("agents"), ObjectNode.class);
            return response.found() && response.seqNo() != null
                    ? OptionalLong.of(response.seqNo())
                    : OptionalLong.empty();
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return OptionalLong.empty();
            }
            throw ElasticsearchErrors.translate(e, "resolve an ack token", connection.describe());
        }
    }

    @Override
    public Optional<ActionDocument> findByActionId(String actionId) {
        try {
            return client
                    .search(
                            s -> s.index(ACTIONS)
                                    .ignoreUnavailable(true)
                                    .seqNoPrimaryTerm(true)
                                    .size(1)
                                    .source(src -> src.filter(f -> f.excludes("agents")))
                                    .query(q -> q.term(t -> t.field("action_id").value(actionId))),
                            ObjectNode.class)
                    .hits()
                    .hits()
                    .stream()
                    .findFirst()
                    .map(ElasticsearchActionStore::document);
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return Optional.empty();
            }
            throw ElasticsearchErrors.translate(e, "look up action " + actionId, connection.describe());
        }
    }

    @Override
    public void storeResult(String actionId, String agentId, ObjectNode result) {
        try {
            client.create(c -> c.index(RESULTS)
                    .id(actionId + ":" + agentId)
                    .document(result)
                    .refresh(Refresh.True));
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) != 409) { // stored before: the ack is a repeat
                throw ElasticsearchErrors.translate(e, "store the result of action " + actionId, connection.describe());
            }
        }
    }

    @Override
    public long deleteExpiredBefore(String age) {
        long deleted = 0;
        try {
            while (true) {
                // No _delete_by_query without the reindex module: search ids, bulk-delete them, repeat.
                List<String> ids = client
                        .search(
                                s -> s.index(ACTIONS)
                                        .ignoreUnavailable(true)
                                        .size(1000)
                                        .source(src -> src.fetch(false))
                                        .query(q -> q.range(r -> r.date(
                                                d -> d.field("expiration").lte("now-" + age)))),
                                Void.class)
                        .hits()
                        .hits()
                        .stream()
                        .map(Hit::id)
                        .toList();
                if (ids.isEmpty()) {
                    return deleted;
                }
                var bulk = new co.elastic.clients.elasticsearch.core.BulkRequest.Builder().refresh(Refresh.True);
                ids.forEach(id ->
                        bulk.operations(op -> op.delete(d -> d.index(ACTIONS).id(id))));
                client.bulk(bulk.build());
                deleted += ids.size();
            }
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return deleted;
            }
            throw ElasticsearchErrors.translate(e, "delete expired actions", connection.describe());
        }
    }

    @Override
    public ActionDocument create(ObjectNode source) {
        String id = UUID.randomUUID().toString();
        try {
            var response =
                    client.create(c -> c.index(ACTIONS).id(id).document(source).refresh(Refresh.True));
            return new ActionDocument(id, response.seqNo() == null ? -1 : response.seqNo(), source);
        } catch (Exception e) {
            throw ElasticsearchErrors.translate(e, "store an action", connection.describe());
        }
    }

    @Override
    public List<ActionDocument> newest(int limit) {
        try {
            return client
                    .search(
                            s -> s.index(ACTIONS)
                                    .ignoreUnavailable(true)
                                    .seqNoPrimaryTerm(true)
                                    .size(limit)
                                    .sort(o ->
                                            o.field(f -> f.field("@timestamp").order(SortOrder.Desc))),
                            ObjectNode.class)
                    .hits()
                    .hits()
                    .stream()
                    .map(ElasticsearchActionStore::document)
                    .toList();
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return List.of();
            }
            throw ElasticsearchErrors.translate(e, "list actions", connection.describe());
        }
    }

    @Override
    public List<ObjectNode> resultsOf(Collection<String> actionIds) {
        if (actionIds.isEmpty()) {
            return List.of();
        }
        List<FieldValue> ids = actionIds.stream().map(FieldValue::of).toList();
        List<ObjectNode> results = new ArrayList<>();
        try {
            client.indices().refresh(r -> r.index(RESULTS).ignoreUnavailable(true));
            List<FieldValue> after = null;
            while (true) {
                List<FieldValue> searchAfter = after;
                var hits = client.search(
                                s -> {
                                    s.index(RESULTS)
                                            .ignoreUnavailable(true)
                                            .size(RESULTS_PAGE)
                                            .sort(o -> o.field(
                                                    f -> f.field("@timestamp").order(SortOrder.Desc)))
                                            .sort(o -> o.field(f -> f.field("agent_id")))
                                            .query(q -> q.terms(
                                                    t -> t.field("action_id").terms(v -> v.value(ids))));
                                    if (searchAfter != null) {
                                        s.searchAfter(searchAfter);
                                    }
                                    return s;
                                },
                                ObjectNode.class)
                        .hits()
                        .hits();
                hits.forEach(hit -> results.add(hit.source()));
                if (hits.size() < RESULTS_PAGE) {
                    return results;
                }
                after = hits.getLast().sort();
            }
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return results;
            }
            throw ElasticsearchErrors.translate(e, "read action results", connection.describe());
        }
    }

    @Override
    public void follow(Consumer<List<ActionDocument>> consumer) {
        monitor.follow(hits -> consumer.accept(
                hits.stream().map(ElasticsearchActionStore::document).toList()));
    }

    @Override
    public long position() {
        return monitor.checkpoint();
    }

    @Override
    public String generation() {
        return monitor.indexUuid();
    }

    @Override
    public boolean isBeyondEnd(long position) {
        return monitor.isBeyondEnd(position);
    }

    private static ActionDocument document(Hit<ObjectNode> hit) {
        return new ActionDocument(hit.id(), hit.seqNo() == null ? -1 : hit.seqNo(), hit.source());
    }
}
