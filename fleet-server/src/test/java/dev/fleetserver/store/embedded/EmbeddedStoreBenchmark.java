package dev.fleetserver.store.embedded;

import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.auth.ApiKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Throughput of the embedded store on this machine, printed, never asserted (no timed assertions). Not part of the
 * suite (the name matches neither {@code *Tests} nor {@code *IT}); run it with
 * {@code ./mvnw -o test -pl fleet-server -Dtest=EmbeddedStoreBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class EmbeddedStoreBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration RUN = Duration.ofSeconds(5);

    @Test
    void measure() throws Exception {
        Path directory = Files.createTempDirectory("fleet-store-benchmark");
        try (EmbeddedFixture store = EmbeddedFixture.open(directory)) {
            List<String> agents = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                agents.add("agent-" + i);
            }
            store.database.write("seed agents", tx -> {
                try (var insert =
                        tx.connection().prepareStatement("INSERT INTO agents (id, version, doc) VALUES (?, 1, ?)")) {
                    for (String id : agents) {
                        insert.setString(1, id);
                        insert.setString(
                                2, "{\"active\":true,\"agent\":{\"id\":\"" + id + "\",\"version\":\"9.5.0\"}}");
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                return null;
            });
            CreatedApiKey key = store.apiKeys.create("bench", JSON.createObjectNode(), JSON.createObjectNode());

            for (int callers : new int[] {1, 16, 256, 1024}) {
                run(store, "ack-sized write (action result, INSERT)", callers, i -> {
                    ObjectNode result = JSON.createObjectNode()
                            .put("action_id", "a-" + callers + "-" + i)
                            .put("agent_id", agents.get((int) (i % agents.size())))
                            .put("@timestamp", "2026-01-01T00:00:00Z");
                    store.actions.storeResult("a-" + callers + "-" + i, agents.get((int) (i % agents.size())), result);
                });
            }
            run(
                    store,
                    "agent partial update (read+merge+write)",
                    256,
                    i -> store.agents.update(
                            agents.get((int) (i % agents.size())),
                            JSON.createObjectNode().put("last_checkin_status", "online")));
            run(store, "enrollment-sized (API key + agent)", 256, i -> {
                CreatedApiKey access = store.apiKeys.create("agent", JSON.createObjectNode(), JSON.createObjectNode());
                store.agents.create(
                        "enrolled-" + i + "-" + access.id(),
                        JSON.createObjectNode().put("access_api_key_id", access.id()));
            });
            feedLatency(store);
            run(store, "read agent by id", 8, i -> store.agents.findById(agents.get((int) (i % agents.size()))));
            run(store, "verify API key (uncached)", 8, i -> store.verifier.verify(new ApiKey(key.id(), key.secret())));
        } finally {
            try (var files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    /** From calling {@code create} to the feed's consumer holding the action: commit, wake-up and read. */
    private static void feedLatency(EmbeddedFixture store) throws Exception {
        java.util.Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();
        List<Long> micros = new java.util.concurrent.CopyOnWriteArrayList<>();
        store.actions.follow(documents -> {
            long now = System.nanoTime();
            documents.forEach(document -> {
                Long start = started.get(document.actionId());
                if (start != null) {
                    micros.add((now - start) / 1000);
                }
            });
        });
        for (int i = 0; i < 500; i++) {
            String actionId = "latency-" + i;
            ObjectNode action = JSON.createObjectNode()
                    .put("action_id", actionId)
                    .put("type", "SETTINGS")
                    .put("expiration", "2999-01-01T00:00:00Z");
            action.putArray("agents").add("agent-1");
            started.put(actionId, System.nanoTime());
            store.actions.create(action);
        }
        Thread.sleep(500);
        List<Long> sorted = micros.stream().sorted().toList();
        System.out.printf(
                Locale.ROOT,
                "%-42s n=%d  p50=%d us  p99=%d us  max=%d us%n",
                "action create -> feed consumer (1 caller)",
                sorted.size(),
                sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() * 99 / 100),
                sorted.getLast());
    }

    private interface Operation {
        void run(long i) throws Exception;
    }

    private static void run(EmbeddedFixture store, String name, int callers, Operation operation) throws Exception {
        GroupCommitWriter writer = store.database.writer();
        long commitsBefore = writer.commits();
        long writesBefore = writer.committedWrites();
        LongAdder done = new LongAdder();
        LongAdder sequence = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < callers; c++) {
                threads.submit(() -> {
                    while (!stop.get()) {
                        sequence.increment();
                        operation.run(sequence.sum() * 1_000_003L + System.nanoTime());
                        done.increment();
                    }
                    return null;
                });
            }
            Thread.sleep(RUN.toMillis());
            stop.set(true);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long commits = writer.commits() - commitsBefore;
        long writes = writer.committedWrites() - writesBefore;
        System.out.printf(
                Locale.ROOT,
                "%-42s callers=%5d  %9.0f ops/s  commits/s=%7.0f  writes per commit=%6.1f%n",
                name,
                callers,
                done.sum() / seconds,
                commits / seconds,
                commits == 0 ? 0.0 : (double) writes / commits);
    }
}
