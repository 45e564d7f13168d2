package dev.fleetserver.load.scenario;

import dev.fleetserver.load.LoadRun;
import dev.fleetserver.load.Scenario;
import java.time.Duration;
import java.util.Map;

/**
 * P2: a new policy revision is published while N agents hold their polls; measures how long until every agent
 * got it. {@code --permission-change} makes the revision change output permissions, so each agent's output API
 * key must be updated first.
 */
public final class PolicyRollout implements Scenario {

    @Override
    public String description() {
        return "P2: a new policy revision to N held polls; time until all have it (--permission-change)";
    }

    @Override
    public Map<String, String> defaults() {
        return Map.of("agents", "10000");
    }

    @Override
    public void run(LoadRun run) {
        int agents = run.options().integer("agents", 10000);
        if (Steps.bringUp(run, agents, true)) {
            Steps.rollOutRevision(
                    run, "policy_rollout", agents, run.options().flag("permission-change"), Duration.ofMinutes(10));
        }
        Steps.summarize(run);
    }
}
