package dev.fleetserver.load.scenario;

import dev.fleetserver.load.LoadRun;
import dev.fleetserver.load.Report;
import dev.fleetserver.load.Scenario;
import dev.fleetserver.load.agent.Stats;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * P5: N agents enroll as fast as {@code --start-rate} and {@code --enroll-concurrency} let them, without checking
 * in. With {@code --enrollment-id --retry-fraction f} a share sends its enrollment twice, and the store is checked
 * for duplicate agents. {@code --save-agents} keeps the agents for the other scenarios (pre-seeding).
 */
public final class EnrollmentRate implements Scenario {

    @Override
    public String description() {
        return "P5: enrollments/s and latency; duplicates with --enrollment-id --retry-fraction; --save-agents";
    }

    @Override
    public Map<String, String> defaults() {
        return Map.of("agents", "2000", "start-rate", "0", "enroll-concurrency", "32");
    }

    @Override
    public void run(LoadRun run) {
        int agents = run.options().integer("agents", 2000);
        long activeBefore = run.options().flag("enrollment-id") ? run.admin().activeAgents() : 0;
        Steps.bringUp(run, agents, false);
        Stats.Snapshot stats = Steps.summarize(run);
        ObjectNode node = run.report().section("enrollment");
        long enrolled = run.status().enrolled();
        double seconds = run.report().section("setup").path("enrolled_after_s").asDouble(run.elapsedSeconds());
        node.put("enrolled", enrolled);
        node.put("enrollments_per_s", Math.round(enrolled / seconds * 10) / 10.0);
        node.set("latency", Report.latency(stats.latency(Stats.Latency.ENROLL)));
        if (run.options().flag("enrollment-id")) {
            long duplicates = run.admin().duplicateEnrollments(activeBefore, enrolled);
            node.put("duplicate_agents", duplicates);
            if (duplicates > 0) {
                run.report().fail(duplicates + " duplicate agents for retried enrollment ids");
            }
        }
    }
}
