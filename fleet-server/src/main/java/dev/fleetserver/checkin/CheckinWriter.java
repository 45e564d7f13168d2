package dev.fleetserver.checkin;

import dev.fleetserver.agent.AgentStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes agents' checkin state in batches (algorithms §6.1): each checkin queues its fields, and every flush
 * interval all queued entries go out as one bulk of partial updates. A newer entry for the same agent is merged
 * into the queued one (newer values win, extras survive), which fixes upstream's Quirk Q16. Entries that must
 * remove fields (an agent re-activated after an audit unenroll) are written by read-modify-write. Only
 * heartbeat state is batched; nothing an agent was told is stored waits here.
 */
final class CheckinWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CheckinWriter.class);
    private static final String[] AUDIT_FIELDS = {"audit_unenrolled_reason", "audit_unenrolled_time", "unenrolled_at"};

    private final AgentStore agents;
    private final Duration flushInterval;
    private final Map<String, Pending> queued = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;
    private volatile boolean running;

    CheckinWriter(AgentStore agents, Duration flushInterval) {
        this.agents = agents;
        this.flushInterval = flushInterval;
    }

    /**
     * Queues checkin fields for an agent.
     *
     * @param refresh the write changes what searches must see soon (the agent's action position)
     * @param removeAuditFields the document carries audit/unenroll fields to drop
     */
    void queue(String agentId, ObjectNode fields, boolean refresh, boolean removeAuditFields) {
        queued.merge(agentId, new Pending(fields, refresh, removeAuditFields), Pending::merge);
    }

    /** Writes everything queued now (also on shutdown). */
    void flush() {
        if (queued.isEmpty()) {
            return;
        }
        Map<String, Pending> batch = new HashMap<>();
        for (String agentId : queued.keySet()) {
            Pending pending = queued.remove(agentId);
            if (pending != null) {
                batch.put(agentId, pending);
            }
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, ObjectNode> partial = new HashMap<>();
        boolean refresh = false;
        for (Map.Entry<String, Pending> entry : batch.entrySet()) {
            Pending pending = entry.getValue();
            pending.fields.put("updated_at", now);
            if (pending.removeAuditFields) {
                writeRemovingAuditFields(entry.getKey(), pending.fields);
            } else {
                partial.put(entry.getKey(), pending.fields);
                refresh |= pending.refresh;
            }
        }
        try {
            agents.updateAll(partial, refresh);
        } catch (RuntimeException e) {
            // The next checkin of each agent writes its state again.
            log.warn("Checkin state of {} agents was not written: {}", partial.size(), e.getMessage());
        }
    }

    private void writeRemovingAuditFields(String agentId, ObjectNode fields) {
        try {
            agents.modify(agentId, document -> {
                for (String field : AUDIT_FIELDS) {
                    document.remove(field);
                }
                fields.properties().forEach(field -> {
                    // Upstream's script variant of this write leaves these two alone (agent-api §10.8).
                    if (field.getKey().equals("sequence_num")) {
                        return;
                    }
                    if (field.getKey().equals("upgrade") && field.getValue() instanceof ObjectNode upgrade) {
                        ObjectNode withoutRollbacks = upgrade.deepCopy();
                        withoutRollbacks.remove("rollbacks");
                        if (!withoutRollbacks.isEmpty()) {
                            document.set("upgrade", withoutRollbacks);
                        }
                        return;
                    }
                    if (field.getKey().equals("agent")
                            && document.get("agent") instanceof ObjectNode agent
                            && field.getValue() instanceof ObjectNode update) {
                        agent.setAll(update);
                    } else {
                        document.set(field.getKey(), field.getValue());
                    }
                });
                return true;
            });
        } catch (RuntimeException e) {
            log.warn("Checkin state of agent {} was not written: {}", agentId, e.getMessage());
        }
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("fleet-checkin-writer").factory());
        long millis = flushInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
        running = true;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("Checkin flush failed: {}", e.getMessage());
        }
    }

    @Override
    public void stop() {
        running = false;
        scheduler.shutdownNow();
        flushQuietly();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the HTTP server has drained, so the last checkins are written. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 2000;
    }

    private record Pending(ObjectNode fields, boolean refresh, boolean removeAuditFields) {
        Pending merge(Pending newer) {
            ObjectNode merged = fields.deepCopy();
            merged.setAll(newer.fields);
            return new Pending(merged, refresh || newer.refresh, removeAuditFields || newer.removeAuditFields);
        }
    }
}
