package dev.fleetserver.load;

import java.util.Map;

/** A named benchmark: its defaults and what it does with a run. */
public interface Scenario {

    String description();

    /** Option defaults of this scenario (e.g. {@code agents}, {@code duration}); the command line wins. */
    Map<String, String> defaults();

    /** Runs and fills the run's report; requirements not met are {@link Report#fail(String)}. */
    void run(LoadRun run) throws Exception;
}
