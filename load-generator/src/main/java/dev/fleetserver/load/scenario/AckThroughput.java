package dev.fleetserver.load.scenario;

import dev.fleetserver.load.LoadRun;
import dev.fleetserver.load.Report;
import dev.fleetserver.load.Scenario;
import dev.fleetserver.load.agent.AckBurst;
import dev.fleetserver.load.agent.Stats;
import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.node.ObjectNode;

/**
 * P4: ack throughput. Every agent first receives and acknowledges one action; then acks of it are offered again
 * at {@code --ack-rate} for {@code --duration} (open loop, as agents re-acknowledge after a restart; the server
 * must handle them idempotently), on each agent's second connection while its poll stays held.
 */
public final class AckThroughput implements Scenario {

    @Override
    public String description() {
        return "P4: acks offered at --ack-rate for --duration; achieved acks/s and latency";
    }

    @Override
    public Map<String, String> defaults() {
        return Map.of("agents", "4000", "duration", "60s");
    }

    @Override
    public void run(LoadRun run) {
        int agents = run.options().integer("agents", 4000);
        if (Steps.bringUp(run, agents, true)) {
            Steps.fanOutAction(run, "action_fanout", Steps.someAgents(run, agents), Duration.ofMinutes(5), true);
            double rate = run.options().number("ack-rate", 10_000);
            long durationMillis =
                    run.options().duration("duration", Duration.ofSeconds(60)).toMillis();
            int inFlight = run.options().integer("ack-in-flight", 2000);
            int groups = run.groups().size();
            Stats.Snapshot before = run.stats();
            AckBurst.Result result = run.gather(
                    group -> group.ackBurst(rate / groups, durationMillis, inFlight),
                    AckBurst.Result::plus,
                    new AckBurst.Result(0, 0, 0));
            Stats.Snapshot after = run.stats();
            Histogram latency = after.latency(Stats.Latency.ACK);
            latency.subtract(before.latency(Stats.Latency.ACK));
            long ok = after.answered(Stats.Route.ACK, 200) - before.answered(Stats.Route.ACK, 200);
            ObjectNode node = run.report().section("ack_burst");
            node.put("offered_per_s", rate);
            node.put("started", result.started());
            node.put("not_started_generator_saturated", result.skipped());
            node.put("answered_200", ok);
            node.put("achieved_per_s", Math.round(ok / (result.elapsedMillis() / 1000.0)));
            node.set("latency", Report.latency(latency));
        }
        Steps.summarize(run);
    }
}
