package dev.fleetserver.load.scenario;

import dev.fleetserver.load.LoadRun;
import dev.fleetserver.load.Scenario;
import java.time.Duration;
import java.util.Map;

/**
 * The smoke run of the normal test command: agents enroll and hold their long polls, one policy revision reaches
 * all of them and one action reaches a hundred, whose acks must be stored. Fails on errors and on anything not
 * delivered, never on timings (the timeouts are minutes).
 */
public final class Smoke implements Scenario {

    @Override
    public String description() {
        return "enroll, hold polls, one policy revision to all, one action to 100 with stored acks (default 2000"
                + " agents, 60s)";
    }

    @Override
    public Map<String, String> defaults() {
        return Map.of("agents", "2000", "duration", "60s");
    }

    @Override
    public void run(LoadRun run) {
        int agents = run.options().integer("agents", 2000);
        if (Steps.bringUp(run, agents, true)) {
            // The polls are held for --duration from here, while a revision and an action go out.
            double holdEnd = run.elapsedSeconds()
                    + run.options().duration("duration", Duration.ofSeconds(60)).toSeconds();
            Steps.serverAtRest(run, "server_holding");
            Steps.rollOutRevision(run, "policy_rollout", agents, false, Duration.ofMinutes(2));
            // The action should find the agents holding polls again, not acking the revision.
            Steps.settle(run, agents, "the policy revision");
            Steps.fanOutAction(run, "action_fanout", Steps.someAgents(run, 100), Duration.ofMinutes(1), true);
            Steps.settle(run, agents, "the action");
            Steps.holdUntil(run, holdEnd);
            if (run.status().inCheckinLoop() < agents) {
                run.report().fail(run.status().inCheckinLoop() + " of " + agents + " agents hold a poll at the end");
            }
        }
        Steps.summarize(run);
        run.report()
                .root()
                .set(
                        "server_end",
                        dev.fleetserver.load.Report.sample(run.probe().sample()));
    }
}
