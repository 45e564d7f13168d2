package dev.fleetserver.load.scenario;

import dev.fleetserver.load.LoadRun;
import dev.fleetserver.load.Report;
import dev.fleetserver.load.Scenario;
import dev.fleetserver.load.agent.Ceiling;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * The empty-endpoint ceiling of the server's HTTP stack ({@link Ceiling}), for reading every other figure as a
 * ratio. Run it against the same server, with the same flags, right before or after a benchmark.
 */
public final class HttpCeiling implements Scenario {

    @Override
    public String description() {
        return "the HTTP stack's ceiling: back-to-back requests to an unrouted path on --connections connections";
    }

    @Override
    public Map<String, String> defaults() {
        return Map.of("duration", "20s", "connections", "64");
    }

    @Override
    public void run(LoadRun run) throws InterruptedException {
        int connections = run.options().integer("connections", 64);
        long millis = run.options().duration("duration", Duration.ofSeconds(20)).toMillis();
        Ceiling.Result result = Ceiling.run(run.agentSpec(connections, null, true, 1), connections, millis);
        ObjectNode node = run.report().section("ceiling");
        node.put("connections", connections);
        node.put("requests", result.requests());
        node.put("requests_per_s", Math.round(result.requests() / (result.elapsedMillis() / 1000.0)));
        node.put("not_404", result.unexpected());
        node.set("latency", Report.latency(result.latency()));
        run.report().root().set("server_end", Report.sample(run.probe().sample()));
        if (result.unexpected() > 0) {
            run.report().fail(result.unexpected() + " requests were not answered 404 page not found");
        }
    }
}
