package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.search.Hit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Follows an index by sequence number without the Fleet plugin (algorithms §1.2): reads the primary shard's
 * global checkpoint every poll interval; when it advances, refreshes and fetches the documents in
 * {@code (checkpoint, globalCheckpoint]} in order, then moves to the global checkpoint (which also covers deletes
 * and filtered documents). Reading the global checkpoint, not the highest sequence number, guarantees that no
 * document still being indexed is skipped. A changed index UUID (the index was re-created) restarts from the
 * beginning; a missing index counts as empty.
 */
final class IndexMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(IndexMonitor.class);

    private final ElasticsearchConnection connection;
    private final ElasticsearchClient client;
    private final String index;
    private final Duration pollInterval;
    private final int fetchSize;
    private final boolean unexpiredOnly;
    private volatile @Nullable Consumer<List<Hit<ObjectNode>>> consumer;
    private volatile long checkpoint = Long.MIN_VALUE;
    private volatile long maxSeqNo = -1;
    private volatile @Nullable String indexUuid;
    private volatile boolean running;
    private @Nullable Thread worker;
    private boolean failing;

    IndexMonitor(
            ElasticsearchConnection connection,
            String index,
            Duration pollInterval,
            int fetchSize,
            boolean unexpiredOnly) {
        this.connection = connection;
        this.client = connection.client();
        this.index = index;
        this.pollInterval = pollInterval;
        this.fetchSize = fetchSize;
        this.unexpiredOnly = unexpiredOnly;
    }

    void follow(Consumer<List<Hit<ObjectNode>>> consumer) {
        this.consumer = consumer;
    }

    /** The highest sequence number delivered so far (-1 before anything). */
    long checkpoint() {
        return Math.max(checkpoint, -1);
    }

    /** The UUID of the index as last seen, or empty when it does not exist (yet). */
    String indexUuid() {
        String uuid = indexUuid;
        return uuid == null ? "" : uuid;
    }

    /**
     * Whether a sequence number is beyond the end of the index as last seen; checks Elasticsearch again before
     * saying yes, since another instance may be a moment ahead.
     */
    boolean isBeyondEnd(long seqNo) {
        if (seqNo <= maxSeqNo) {
            return false;
        }
        try {
            Stats stats = stats();
            return stats == null || seqNo > stats.maxSeqNo();
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void start() {
        running = true;
        worker = Thread.ofPlatform().daemon().name("fleet-monitor" + index).start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        if (worker != null) {
            worker.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        while (running) {
            try {
                poll();
                if (failing) {
                    log.info("Following {} again", index);
                    failing = false;
                }
                LockSupport.parkNanos(pollInterval.toNanos());
            } catch (Exception e) {
                if (!failing) {
                    log.warn("Cannot follow {}: {}; retrying", index, e.getMessage());
                    failing = true;
                }
                LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
            }
        }
    }

    /** One round: find how far the index is, deliver what is new. */
    void poll() throws Exception {
        Stats stats = stats();
        if (stats == null) {
            if (indexUuid != null) {
                log.info("{} is gone; following it from the start when it returns", index);
            }
            indexUuid = null;
            maxSeqNo = -1;
            checkpoint = -1;
            return;
        }
        if (checkpoint == Long.MIN_VALUE) {
            // The first look: documents that existed before the server started are not replayed.
            checkpoint = stats.globalCheckpoint();
        } else if (indexUuid != null && !indexUuid.equals(stats.uuid())) {
            log.info("{} was re-created; following it from the start", index);
            checkpoint = -1;
        }
        indexUuid = stats.uuid();
        maxSeqNo = stats.maxSeqNo();
        long target = stats.globalCheckpoint();
        if (target <= checkpoint) {
            return;
        }
        client.indices().refresh(r -> r.index(index).ignoreUnavailable(true));
        long from = checkpoint;
        while (true) {
            List<Hit<ObjectNode>> hits = fetch(from, target);
            if (!hits.isEmpty()) {
                Consumer<List<Hit<ObjectNode>>> to = consumer;
                if (to != null) {
                    to.accept(hits);
                }
                from = hits.getLast().seqNo();
                checkpoint = from;
            }
            if (hits.size() < fetchSize) {
                break;
            }
        }
        checkpoint = target;
    }

    private List<Hit<ObjectNode>> fetch(long after, long upTo) throws Exception {
        List<Query> filters = new ArrayList<>();
        filters.add(Query.of(q ->
                q.range(r -> r.number(n -> n.field("_seq_no").gt((double) after).lte((double) upTo)))));
        if (unexpiredOnly) {
            filters.add(Query.of(
                    q -> q.range(r -> r.date(d -> d.field("expiration").gt("now")))));
        }
        return client.search(
                        s -> s.index(index)
                                .ignoreUnavailable(true)
                                .seqNoPrimaryTerm(true)
                                .size(fetchSize)
                                .sort(o -> o.field(f -> f.field("_seq_no").order(SortOrder.Asc)))
                                .query(q -> q.bool(b -> b.filter(filters))),
                        ObjectNode.class)
                .hits()
                .hits();
    }

    /** The primary shard's global checkpoint and highest sequence number, and the index UUID; null if missing. */
    private @Nullable Stats stats() throws Exception {
        JsonNode body;
        try {
            body = connection.raw(
                    "indices.stats", "GET", "/" + index + "/_stats/docs?level=shards&expand_wildcards=all", null);
        } catch (RawResponseException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
        for (Map.Entry<String, JsonNode> concrete : body.path("indices").properties()) {
            for (JsonNode copy : concrete.getValue().path("shards").path("0")) {
                if (copy.path("routing").path("primary").asBoolean(false)) {
                    JsonNode seqNo = copy.path("seq_no");
                    return new Stats(
                            concrete.getValue().path("uuid").asString(concrete.getKey()),
                            seqNo.path("global_checkpoint").asLong(-1),
                            seqNo.path("max_seq_no").asLong(-1));
                }
            }
        }
        return null;
    }

    private record Stats(String uuid, long globalCheckpoint, long maxSeqNo) {}
}
