package dev.fleetserver.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Upstream's command line: {@code -c FILE} / {@code --config FILE} (also {@code --config=FILE}) and any number of
 * {@code -E key=value} overrides merged over the file. Everything else is handed to Spring unchanged, so
 * {@code --server.port=0} still works for tests.
 *
 * @param configFile the configuration file; {@code fleet-server.yml} in the working directory by default
 * @param configFileGiven whether {@code -c} named it: only then must it exist (without it, and without a
 *     {@code fleet-server.yml}, the server runs on its defaults)
 * @param overrides {@code -E} settings in the order given
 * @param springArgs the remaining arguments
 */
public record CommandLine(
        Path configFile, boolean configFileGiven, Map<String, String> overrides, List<String> springArgs) {

    public static final Path DEFAULT_CONFIG = Path.of("fleet-server.yml");

    public static CommandLine parse(String... args) {
        Path config = DEFAULT_CONFIG;
        boolean given = false;
        Map<String, String> overrides = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-c") || arg.equals("--config")) {
                config = Path.of(valueAfter(args, i, arg));
                given = true;
                i++;
            } else if (arg.startsWith("--config=")) {
                config = Path.of(arg.substring("--config=".length()));
                given = true;
            } else if (arg.equals("-E")) {
                addOverride(overrides, valueAfter(args, i, arg));
                i++;
            } else if (arg.startsWith("-E") && arg.length() > 2) {
                addOverride(overrides, arg.substring(2));
            } else {
                rest.add(arg);
            }
        }
        return new CommandLine(config, given, Map.copyOf(overrides), List.copyOf(rest));
    }

    private static String valueAfter(String[] args, int i, String option) {
        if (i + 1 >= args.length || args[i + 1].isBlank()) {
            throw new ConfigException(option, "command line", "needs a value");
        }
        return args[i + 1];
    }

    private static void addOverride(Map<String, String> overrides, String setting) {
        int eq = setting.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("-E", "command line", "expects key=value, got \"" + setting + "\"");
        }
        overrides.put(setting.substring(0, eq).strip(), setting.substring(eq + 1));
    }
}
