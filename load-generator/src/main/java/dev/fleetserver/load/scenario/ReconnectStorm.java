package dev.fleetserver.load.scenario;

import dev.fleetserver.load.LoadRun;
import dev.fleetserver.load.Report;
import dev.fleetserver.load.Scenario;
import dev.fleetserver.load.agent.Stats;
import dev.fleetserver.load.server.ServerProbe;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * P6: all N agents drop their connections at once and reconnect (within {@code --reconnect-jitter}); measures
 * the time until all hold a poll again and what the server answered meanwhile (only 429s are acceptable
 * rejections). An agent answered 429 backs off as the real agent does, scaled by {@code --backoff-scale}.
 */
public final class ReconnectStorm implements Scenario {

    @Override
    public String description() {
        return "P6: all agents reconnect at once; time until all poll again, rejections by status";
    }

    @Override
    public Map<String, String> defaults() {
        return Map.of("agents", "10000");
    }

    @Override
    public void run(LoadRun run) {
        int agents = run.options().integer("agents", 10000);
        if (Steps.bringUp(run, agents, true)) {
            Stats.Snapshot before = run.stats();
            long jitter =
                    run.options().duration("reconnect-jitter", Duration.ZERO).toMillis();
            run.reconnectAll(jitter);
            long dropped = System.nanoTime();
            Duration back =
                    run.await("all agents polling again", s -> s.inCheckinLoop() >= agents, Duration.ofMinutes(15));
            // An agent counts as polling once its checkin is sent; the server holds it only once it has read and
            // accepted it, and let go of the dropped poll: wait until its count of open checkins is exactly N again.
            Duration held = null;
            ServerProbe.Sample server = run.probe().sample();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (back != null && System.nanoTime() < deadline) {
                server = run.probe().sample();
                if (server.checkinsActive() == agents) {
                    held = Duration.ofNanos(System.nanoTime() - dropped);
                    break;
                }
                LoadRun.sleep(50);
            }
            Stats.Snapshot after = run.stats();
            ObjectNode node = run.report().section("reconnect");
            node.put("reconnect_jitter_ms", jitter);
            node.put("all_polling_again_after_s", back == null ? -1 : back.toMillis() / 1000.0);
            node.put("server_holding_all_again_after_s", held == null ? -1 : held.toMillis() / 1000.0);
            node.put("server_checkins_active", server.checkinsActive());
            node.put("server_tcp_active", server.tcpActive());
            ObjectNode answers = node.putObject("checkin_answers_during_storm");
            after.outcomes().forEach((key, count) -> {
                long delta = count - before.outcomes().getOrDefault(key, 0L);
                if (delta > 0) {
                    answers.put(key, delta);
                }
            });
            node.set("server_after", Report.sample(run.probe().sample()));
            if (back == null) {
                run.report().fail("not all agents polled again within 15 minutes");
            } else if (held == null) {
                run.report()
                        .fail("the server did not hold exactly " + agents + " polls within 5 minutes of the storm (it"
                                + " held " + server.checkinsActive() + " on " + server.tcpActive() + " connections)");
            }
        }
        Steps.summarize(run);
    }
}
