package dev.fleetserver.load.scenario;

import dev.fleetserver.load.LoadRun;
import dev.fleetserver.load.Scenario;
import java.time.Duration;
import java.util.Map;

/** P3: one action for all N held polls; time until all got it and until all their acks are stored. */
public final class ActionFanOut implements Scenario {

    @Override
    public String description() {
        return "P3: one action to N held polls; time to deliver to all and to store all acks";
    }

    @Override
    public Map<String, String> defaults() {
        return Map.of("agents", "10000");
    }

    @Override
    public void run(LoadRun run) {
        int agents = run.options().integer("agents", 10000);
        if (Steps.bringUp(run, agents, true)) {
            Steps.fanOutAction(run, "action_fanout", Steps.someAgents(run, agents), Duration.ofMinutes(5), true);
        }
        Steps.summarize(run);
    }
}
