package dev.fleetserver.load.scenario;

import dev.fleetserver.load.LoadRun;
import dev.fleetserver.load.Report;
import dev.fleetserver.load.Scenario;
import dev.fleetserver.load.agent.Deliveries;
import dev.fleetserver.load.server.ServerProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.node.ObjectNode;

/**
 * P1: N agents hold long polls; the server's RSS and heap after a full GC are compared with its idle state
 * before the agents came, giving the cost per held agent; meanwhile one action at a time goes to one random
 * agent and its delivery latency is measured.
 */
public final class HeldPolls implements Scenario {

    @Override
    public String description() {
        return "P1: N held long polls, server RSS/heap per agent after full GC, targeted action latency";
    }

    @Override
    public Map<String, String> defaults() {
        return Map.of("agents", "5000", "duration", "3m");
    }

    @Override
    public void run(LoadRun run) {
        int agents = run.options().integer("agents", 5000);
        ServerProbe.Sample idle = Steps.serverAtRest(run, "server_idle");
        if (Steps.bringUp(run, agents, true)) {
            ServerProbe.Sample start = run.probe().sample();
            long startNanos = System.nanoTime();
            Histogram latency = targetedActions(run, run.options().duration("duration", Duration.ofMinutes(3)));
            ObjectNode targeted = run.report().section("targeted_actions");
            targeted.put("action_type", run.admin().benchmarkActionType(1));
            targeted.set("delivery_latency", Report.latency(latency));
            ServerProbe.Sample end = run.probe().sample();
            if (start.cpuSeconds() >= 0 && end.cpuSeconds() >= 0) {
                // What holding the polls costs in CPU (probes of held connections, state refreshes, the actions).
                targeted.put(
                        "server_cpu_percent_while_holding",
                        Math.round((end.cpuSeconds() - start.cpuSeconds())
                                        / ((System.nanoTime() - startNanos) / 1e9)
                                        * 1000)
                                / 10.0);
            }
            ServerProbe.Sample held = Steps.serverAtRest(run, "server_holding");
            ObjectNode cost = run.report().section("cost_per_agent");
            if (idle.rssBytes() > 0 && held.rssBytes() > 0) {
                double rssPerAgent = (held.rssBytes() - idle.rssBytes()) / (double) agents;
                cost.put("rss_kib", Math.round(rssPerAgent / 1024 * 10) / 10.0);
                cost.put(
                        "projected_rss_100k_agents_mib",
                        Math.round((idle.rssBytes() + rssPerAgent * 100_000) / 1048576.0));
            }
            if (idle.heapUsedBytes() > 0 && held.heapUsedBytes() > 0) {
                cost.put(
                        "heap_kib",
                        Math.round((held.heapUsedBytes() - idle.heapUsedBytes()) / (double) agents / 1024 * 10) / 10.0);
            }
        }
        Steps.summarize(run);
    }

    /** One action to one random agent every {@code --action-interval}, each awaited, until the duration ends. */
    private static Histogram targetedActions(LoadRun run, Duration duration) {
        Duration interval = run.options().duration("action-interval", Duration.ofSeconds(5));
        Histogram latency = new Histogram(3_600_000_000L, 3);
        int missed = 0;
        double end = run.elapsedSeconds() + duration.toSeconds();
        while (run.elapsedSeconds() < end) {
            long started = System.nanoTime();
            List<String> target = Steps.someAgents(run, 1);
            long since = Steps.nowMicros();
            String actionId = run.admin().createAction(run.admin().benchmarkActionType(1), target);
            Deliveries.Delivery delivery = run.awaitDelivery(actionId, since, 1, Duration.ofSeconds(30));
            if (delivery.agents() == 0) {
                missed++;
            } else {
                latency.add(delivery.histogram());
            }
            long rest = interval.toMillis() - (System.nanoTime() - started) / 1_000_000;
            if (rest > 0) {
                LoadRun.sleep(rest);
            }
            LoadRun.log("holding: " + run.status() + ", targeted actions delivered: " + latency.getTotalCount());
        }
        if (missed > 0) {
            run.report().fail(missed + " targeted actions were not delivered within 30 s");
        }
        return latency;
    }
}
