package dev.fleetserver.load.scenario;

import dev.fleetserver.load.LoadRun;
import dev.fleetserver.load.Report;
import dev.fleetserver.load.Scenario;
import java.util.Map;

/**
 * P7: the server's start-to-ready time (measured by the run when it starts the server: process start to the
 * first 200 of {@code /api/status}) and its idle RSS, as is and after a full GC.
 */
public final class StartupIdle implements Scenario {

    @Override
    public String description() {
        return "P7: start to ready and idle RSS of a server the run starts (--start-server)";
    }

    @Override
    public Map<String, String> defaults() {
        return Map.of("start-server", "true");
    }

    @Override
    public void run(LoadRun run) {
        LoadRun.sleep(5_000); // let start-up work (index monitors, first policy reads) settle
        run.report().root().set("server_idle", Report.sample(run.probe().sample()));
        run.probe().fullGc();
        run.report()
                .root()
                .set("server_idle_after_gc", Report.sample(run.probe().sample()));
    }
}
