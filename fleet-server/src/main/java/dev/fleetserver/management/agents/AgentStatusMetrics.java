package dev.fleetserver.management.agents;

import dev.fleetserver.agent.AgentStatus;
import dev.fleetserver.health.ServerHealth;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Publishes the fleet's agents on the Prometheus registry: {@code fleet_agents{status}} (every one of the eleven
 * statuses, zeros included) and {@code fleet_agents_policy_revision{policy_id,policy_revision}} (enrolled agents by
 * the policy they should run and the revision they last acknowledged).
 *
 * <p>The numbers come from a pass over every agent document, so they are refreshed on a schedule rather than per
 * scrape: every 30 seconds (a tenth of the 5-minute offline threshold, so a status is at most that late), and
 * never more often than ten times the last pass took, so that on a very large fleet the passes cost at most a
 * tenth of one thread and of the store's reads for them. Passes wait while the store is unavailable.
 */
public final class AgentStatusMetrics implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AgentStatusMetrics.class);
    static final Duration INTERVAL = Duration.ofSeconds(30);

    private final FleetAgents fleet;
    private final ServerHealth health;
    private final MultiGauge byStatus;
    private final MultiGauge byPolicyRevision;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fleet-agent-status-metrics").factory());
    private volatile boolean running;

    AgentStatusMetrics(FleetAgents fleet, ServerHealth health, MeterRegistry registry) {
        this.fleet = fleet;
        this.health = health;
        this.byStatus = MultiGauge.builder("fleet.agents")
                .description("Agents by Fleet status, as the management API derives it")
                .register(registry);
        this.byPolicyRevision = MultiGauge.builder("fleet.agents.policy.revision")
                .description("Enrolled agents by assigned policy and last acknowledged revision")
                .register(registry);
    }

    @Override
    public void start() {
        running = true;
        scheduler.schedule(this::refreshAndReschedule, 1, TimeUnit.SECONDS);
    }

    @Override
    public void stop() {
        running = false;
        scheduler.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void refreshAndReschedule() {
        Duration next = INTERVAL;
        if (health.isReady()) {
            long started = System.nanoTime();
            try {
                refresh();
            } catch (RuntimeException e) {
                log.debug("Agent status metrics not refreshed: {}", e.getMessage());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            Duration bounded = took.multipliedBy(10);
            next = bounded.compareTo(INTERVAL) > 0 ? bounded : INTERVAL;
        } else {
            next = Duration.ofSeconds(2);
        }
        if (running) {
            scheduler.schedule(this::refreshAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One pass now: counts by status and by policy revision, replacing the previous rows. */
    public void refresh() {
        Map<AgentStatus, Long> statuses = new EnumMap<>(AgentStatus.class);
        for (AgentStatus status : AgentStatus.values()) {
            statuses.put(status, 0L);
        }
        Map<List<String>, Long> revisions = new HashMap<>();
        for (FleetAgents.Scanned scanned : fleet.scan()) {
            statuses.merge(scanned.status(), 1L, Long::sum);
            String policyId = scanned.agent().policyId();
            if (scanned.status() != AgentStatus.UNENROLLED && policyId != null) {
                String revision =
                        scanned.agent().source().path("policy_revision_idx").isNumber()
                                ? Long.toString(scanned.agent().policyRevisionIdx())
                                : "none";
                revisions.merge(List.of(policyId, revision), 1L, Long::sum);
            }
        }
        List<MultiGauge.Row<?>> statusRows = new ArrayList<>();
        statuses.forEach(
                (status, count) -> statusRows.add(MultiGauge.Row.of(Tags.of("status", status.wireName()), count)));
        byStatus.register(statusRows, true);
        List<MultiGauge.Row<?>> revisionRows = new ArrayList<>();
        revisions.forEach((key, count) -> revisionRows.add(
                MultiGauge.Row.of(Tags.of("policy_id", key.get(0), "policy_revision", key.get(1)), count)));
        byPolicyRevision.register(revisionRows, true);
    }
}
