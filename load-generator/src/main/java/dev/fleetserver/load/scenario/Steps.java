package dev.fleetserver.load.scenario;

import dev.fleetserver.load.LoadRun;
import dev.fleetserver.load.Report;
import dev.fleetserver.load.agent.AgentCredentials;
import dev.fleetserver.load.agent.Deliveries;
import dev.fleetserver.load.agent.Stats;
import dev.fleetserver.load.server.ServerProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** The steps scenarios share: bring agents to their long polls, roll out a revision, fan out an action, sum up. */
final class Steps {

    private Steps() {}

    /**
     * Starts the run's agents and waits until all are enrolled and, when they check in, holding a long poll.
     * Returns false (and records a failure) when they did not get there.
     */
    static boolean bringUp(LoadRun run, int agents, boolean checkin) {
        run.startAgents(agents, checkin);
        // Generous: a slow store slows set-up down, which is not what a scenario measures; only a stall fails.
        Duration timeout = Duration.ofMinutes(2);
        ObjectNode setup = run.report().section("setup");
        Duration enrolled = run.await(
                "enrollment",
                s -> s.enrolled() + s.stopped() >= agents || (s.inCheckinLoop() >= agents && checkin),
                timeout);
        setup.put("enrolled_after_s", seconds(enrolled));
        if (enrolled == null) {
            run.report().fail("only " + run.status().enrolled() + " of " + agents + " agents enrolled");
            return false;
        }
        if (!checkin) {
            run.saveAgentsIfAsked();
            return true;
        }
        Duration polling = run.await("all agents holding a long poll", s -> s.inCheckinLoop() >= agents, timeout);
        setup.put("all_polling_after_s", seconds(polling == null ? null : polling.plus(enrolled)));
        if (polling == null) {
            run.report().fail("only " + run.status().inCheckinLoop() + " of " + agents + " agents reached a long poll");
            return false;
        }
        run.saveAgentsIfAsked();
        return true;
    }

    /** Waits until all agents hold a poll again (after acking what they got); records a failure if they do not. */
    static void settle(LoadRun run, int agents, String after) {
        if (run.await("all agents polling again", s -> s.inCheckinLoop() >= agents, Duration.ofMinutes(2)) == null) {
            run.report()
                    .fail("only " + run.status().inCheckinLoop() + " of " + agents + " agents polled again after "
                            + after);
        }
    }

    /** Publishes a new revision and waits until every polling agent got it; records the delivery. */
    static void rollOutRevision(LoadRun run, String section, int agents, boolean permissionChange, Duration timeout) {
        long since = nowMicros();
        long revision = run.admin().newRevision(run.policy(), permissionChange);
        Deliveries.Delivery delivery =
                run.awaitDelivery("policy:" + run.policy() + ":" + revision, since, agents, timeout);
        ObjectNode node = run.report().section(section);
        node.put("revision", revision);
        node.put("permission_change", permissionChange);
        recordDelivery(node, delivery, agents);
        if (delivery.agents() < agents) {
            run.report()
                    .fail(section + ": revision " + revision + " reached " + delivery.agents() + " of " + agents
                            + " agents within " + timeout.toSeconds() + " s");
        }
    }

    /**
     * Queues one action for {@code targets} agents, waits until each got it and, when {@code results}, until their
     * acks are stored; records both.
     */
    static void fanOutAction(LoadRun run, String section, List<String> targets, Duration timeout, boolean results) {
        long since = nowMicros();
        String type = run.admin().benchmarkActionType(targets.size());
        String actionId = run.admin().createAction(type, targets);
        Deliveries.Delivery delivery = run.awaitDelivery(actionId, since, targets.size(), timeout);
        ObjectNode node = run.report().section(section);
        node.put("action_id", actionId);
        node.put("action_type", type);
        recordDelivery(node, delivery, targets.size());
        if (delivery.agents() < targets.size()) {
            run.report()
                    .fail(section + ": action reached " + delivery.agents() + " of " + targets.size()
                            + " agents within " + timeout.toSeconds() + " s");
        }
        if (!results) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long stored;
        while ((stored = run.admin().actionResults(actionId)) < targets.size() && System.nanoTime() < deadline) {
            LoadRun.sleep(100);
        }
        node.put("results_stored", stored);
        node.put("all_results_stored_after_s", Math.round((nowMicros() - since) / 1e3) / 1e3);
        if (stored < targets.size()) {
            run.report()
                    .fail(section + ": " + stored + " of " + targets.size() + " acks stored within "
                            + timeout.toSeconds() + " s");
        }
    }

    static void recordDelivery(ObjectNode node, Deliveries.Delivery delivery, long expected) {
        node.put("expected_agents", expected);
        node.put("delivered_agents", delivery.agents());
        node.set("delivery_latency", Report.latency(delivery.histogram()));
        double lastSeconds = delivery.histogram().getMaxValue() / 1e6;
        if (delivery.agents() > 0 && lastSeconds > 0) {
            node.put("agents_per_s", Math.round(delivery.agents() / lastSeconds));
        }
    }

    /** Random ids of {@code count} agents that enrolled in this run or came from the agents file. */
    static List<String> someAgents(LoadRun run, int count) {
        List<String> ids = new ArrayList<>(
                run.credentials().stream().map(AgentCredentials::id).toList());
        Collections.shuffle(ids);
        return ids.subList(0, Math.min(count, ids.size()));
    }

    /** Holds the polls until {@code endSeconds} after the agents started, logging now and then. */
    static void holdUntil(LoadRun run, double endSeconds) {
        while (run.elapsedSeconds() < endSeconds) {
            LoadRun.sleep(Math.min(5_000, (long) ((endSeconds - run.elapsedSeconds()) * 1000) + 1));
            LoadRun.log("holding: " + run.status());
        }
    }

    /** The server after a full GC, as a report section. */
    static ServerProbe.Sample serverAtRest(LoadRun run, String section) {
        run.probe().fullGc();
        ServerProbe.Sample sample = run.probe().sample();
        run.report().root().set(section, Report.sample(sample));
        return sample;
    }

    /** Totals of what the agents saw over the run. */
    static Stats.Snapshot summarize(LoadRun run) {
        Stats.Snapshot stats = run.stats();
        run.report().root().set("outcomes", Report.outcomes(stats, run.elapsedSeconds()));
        run.report()
                .root()
                .set(
                        "agents_at_end",
                        tools.jackson.databind.json.JsonMapper.builder().build().valueToTree(run.status()));
        return stats;
    }

    static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    static Double seconds(Duration duration) {
        return duration == null ? null : Math.round(duration.toMillis() / 100.0) / 10.0;
    }
}
