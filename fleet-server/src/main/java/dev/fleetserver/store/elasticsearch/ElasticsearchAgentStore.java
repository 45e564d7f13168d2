package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.GetResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.agent.DocumentVersion;
import dev.fleetserver.store.StoreUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Agent documents in {@code .fleet-agents}. Writes that a search may soon look for use {@code refresh=true}
 * (algorithms §7); read-modify-writes are guarded by {@code if_seq_no}/{@code if_primary_term} and retried from a
 * fresh read, because Kibana writes the same documents.
 */
final class ElasticsearchAgentStore implements AgentStore {

    private static final Logger log = LoggerFactory.getLogger(ElasticsearchAgentStore.class);
    private static final String INDEX = FleetIndex.AGENTS.indexName();
    private static final int CONFLICT_RETRIES = 10;
    private static final int SCAN_PAGE = 1000;

    private final ElasticsearchConnection connection;
    private final ElasticsearchClient client;

    ElasticsearchAgentStore(ElasticsearchConnection connection) {
        this.connection = connection;
        this.client = connection.client();
    }

    @Override
    public Optional<Agent> findById(String agentId) {
        try {
            GetResponse<ObjectNode> response = client.get(g -> g.index(INDEX).id(agentId), ObjectNode.class);
            if (!response.found() || response.source() == null) {
                return Optional.empty();
            }
            return Optional.of(new Agent(
                    agentId,
                    response.source(),
                    new DocumentVersion(
                            response.seqNo() == null ? -2 : response.seqNo(),
                            response.primaryTerm() == null ? 0 : response.primaryTerm())));
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return Optional.empty();
            }
            throw failure(e, "read agent " + agentId);
        }
    }

    @Override
    public Optional<Agent> findByAccessApiKeyId(String apiKeyId) {
        return first("access_api_key_id", apiKeyId, false);
    }

    @Override
    public Optional<Agent> findByEnrollmentId(String enrollmentId) {
        return first("enrollment_id", enrollmentId, true);
    }

    private Optional<Agent> first(String field, String value, boolean refreshFirst) {
        try {
            if (refreshFirst) {
                client.indices().refresh(r -> r.index(INDEX).ignoreUnavailable(true));
            }
            SearchResponse<ObjectNode> response = client.search(
                    s -> s.index(INDEX)
                            .ignoreUnavailable(true)
                            .seqNoPrimaryTerm(true)
                            .size(1)
                            .query(q -> q.bool(b ->
                                    b.filter(f -> f.term(t -> t.field(field).value(value))))),
                    ObjectNode.class);
            return response.hits().hits().stream().findFirst().map(ElasticsearchAgentStore::agent);
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return Optional.empty();
            }
            throw failure(e, "search agents by " + field);
        }
    }

    private static Agent agent(Hit<ObjectNode> hit) {
        return new Agent(
                hit.id(),
                hit.source(),
                new DocumentVersion(
                        hit.seqNo() == null ? -2 : hit.seqNo(), hit.primaryTerm() == null ? 0 : hit.primaryTerm()));
    }

    @Override
    public boolean create(String agentId, ObjectNode document) {
        try {
            client.create(c -> c.index(INDEX).id(agentId).document(document).refresh(Refresh.True));
            return true;
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 409) {
                return false;
            }
            throw failure(e, "create agent " + agentId);
        }
    }

    @Override
    public void delete(String agentId) {
        try {
            client.delete(d -> d.index(INDEX).id(agentId).refresh(Refresh.True));
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) != 404) {
                throw failure(e, "delete agent " + agentId);
            }
        }
    }

    @Override
    public boolean update(String agentId, ObjectNode fields) {
        try {
            client.update(
                    u -> u.index(INDEX)
                            .id(agentId)
                            .doc(fields)
                            .retryOnConflict(CONFLICT_RETRIES)
                            .refresh(Refresh.True),
                    ObjectNode.class);
            return true;
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return false;
            }
            throw failure(e, "update agent " + agentId);
        }
    }

    @Override
    public boolean modify(String agentId, Predicate<ObjectNode> edit) {
        for (int attempt = 0; ; attempt++) {
            Agent current = findById(agentId).orElse(null);
            if (current == null) {
                return false;
            }
            ObjectNode edited = current.source().deepCopy();
            if (!edit.test(edited)) {
                return false;
            }
            try {
                client.index(i -> i.index(INDEX)
                        .id(agentId)
                        .document(edited)
                        .ifSeqNo(current.version().seqNo())
                        .ifPrimaryTerm(current.version().primaryTerm())
                        .refresh(Refresh.True));
                return true;
            } catch (Exception e) {
                if (ElasticsearchErrors.status(e) != 409 || attempt >= CONFLICT_RETRIES) {
                    throw failure(e, "write agent " + agentId);
                }
                log.debug("Agent {} changed while being edited; reading it again", agentId);
                // A flush of batched checkin state can land between the read and the write again and again while
                // Elasticsearch is slow: wait a little, longer each time, instead of failing the agent's request.
                backOff(attempt);
            }
        }
    }

    private static void backOff(int attempt) {
        long millis = java.util.concurrent.ThreadLocalRandom.current().nextLong(5, 25) * (attempt + 1);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.ERROR, "interrupted while writing an agent", e);
        }
    }

    @Override
    public void updateAll(Map<String, ObjectNode> fieldsByAgent, boolean refresh) {
        if (fieldsByAgent.isEmpty()) {
            return;
        }
        BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(refresh ? Refresh.True : Refresh.False);
        fieldsByAgent.forEach((id, fields) ->
                bulk.operations(op -> op.update(u -> u.index(INDEX).id(id).action(a -> a.doc(fields)))));
        try {
            var response = client.bulk(bulk.build());
            if (response.errors()) {
                response.items().stream()
                        .filter(item -> item.error() != null && item.status() != 404)
                        .findFirst()
                        .ifPresent(item -> log.warn(
                                "Checkin state of agent {} was not written: {}",
                                item.id(),
                                item.error().reason()));
            }
        } catch (Exception e) {
            throw failure(e, "write checkin state of " + fieldsByAgent.size() + " agents");
        }
    }

    @Override
    public List<String> idsWhere(String field, String value) {
        try {
            client.indices().refresh(r -> r.index(INDEX).ignoreUnavailable(true));
            return client
                    .search(
                            s -> s.index(INDEX)
                                    .ignoreUnavailable(true)
                                    .size(1000)
                                    .source(src -> src.fetch(false))
                                    .query(q -> q.term(t -> t.field(field).value(value))),
                            ObjectNode.class)
                    .hits()
                    .hits()
                    .stream()
                    .map(Hit::id)
                    .toList();
        } catch (Exception e) {
            throw failure(e, "search agents by " + field);
        }
    }

    @Override
    public void forEachAgent(Consumer<Agent> consumer) {
        String pit;
        try {
            client.indices().refresh(r -> r.index(INDEX).ignoreUnavailable(true));
            pit = client.openPointInTime(p -> p.index(INDEX).keepAlive(k -> k.time("1m")))
                    .id();
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return; // no agent has enrolled yet
            }
            throw failure(e, "list agents");
        }
        try {
            List<FieldValue> after = null;
            while (true) {
                List<FieldValue> searchAfter = after;
                SearchResponse<ObjectNode> page = client.search(
                        s -> {
                            s.pit(p -> p.id(pit).keepAlive(k -> k.time("1m")))
                                    .size(SCAN_PAGE)
                                    .seqNoPrimaryTerm(true)
                                    .sort(o -> o.field(f -> f.field("_shard_doc")));
                            if (searchAfter != null) {
                                s.searchAfter(searchAfter);
                            }
                            return s;
                        },
                        ObjectNode.class);
                List<Hit<ObjectNode>> hits = page.hits().hits();
                hits.forEach(hit -> consumer.accept(agent(hit)));
                if (hits.size() < SCAN_PAGE) {
                    return;
                }
                after = hits.getLast().sort();
            }
        } catch (Exception e) {
            throw failure(e, "list agents");
        } finally {
            try {
                client.closePointInTime(c -> c.id(pit));
            } catch (Exception e) {
                log.debug("Closing a point in time failed: {}", e.getMessage());
            }
        }
    }

    private StoreUnavailableException failure(Exception e, String action) {
        return ElasticsearchErrors.translate(e, action, connection.describe());
    }
}
