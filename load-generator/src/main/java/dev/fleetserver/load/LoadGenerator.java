package dev.fleetserver.load;

import dev.fleetserver.load.agent.Worker;
import java.nio.file.Path;

/**
 * {@code bin/load-generator <scenario> [options]}: runs one scenario against a Fleet Server and prints its report;
 * exits 1 when the run saw errors or missed a requirement, 2 on bad usage. {@code worker <name>} is the internal
 * command of the generator's worker processes.
 */
public final class LoadGenerator {

    private LoadGenerator() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("worker")) {
            Worker.run(args.length > 1 ? args[1] : "worker");
            System.exit(0);
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("load-generator: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options.flag("help") || options.scenario() == null) {
            System.out.print(Options.help());
            System.exit(options.flag("help") ? 0 : 2);
        }
        Report report;
        try {
            report = run(options);
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            System.err.println("load-generator: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.print(report.text());
        if (options.has("report-json")) {
            report.writeJson(Path.of(options.string("report-json", null)));
        }
        System.exit(report.errors() == 0 ? 0 : 1);
    }

    /** Runs the scenario the options name, with its defaults; the report says what happened. */
    public static Report run(Options options) throws Exception {
        Scenario scenario = Scenarios.ALL.get(options.scenario());
        if (scenario == null) {
            throw new IllegalArgumentException("unknown scenario " + options.scenario() + " (try --help)");
        }
        Options effective = options.withDefaults(scenario.defaults());
        try (LoadRun run = LoadRun.open(effective)) {
            scenario.run(run);
            return run.report();
        }
    }
}
