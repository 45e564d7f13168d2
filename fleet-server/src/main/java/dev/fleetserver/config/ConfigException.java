package dev.fleetserver.config;

import org.jspecify.annotations.Nullable;

/**
 * Bad configuration. {@link #oneLine()} names the key, where its value came from (file and line) and the
 * problem, on one line, so that an operator sees what to fix without a stack trace. Messages never contain a
 * secret's value.
 */
public final class ConfigException extends RuntimeException {

    private final String key;
    private final @Nullable String origin;
    private final String problem;

    public ConfigException(String key, @Nullable String origin, String problem) {
        super(format(key, origin, problem));
        this.key = key;
        this.origin = origin;
        this.problem = problem;
    }

    public String key() {
        return key;
    }

    public @Nullable String origin() {
        return origin;
    }

    public String problem() {
        return problem;
    }

    /** What the process prints before it exits. */
    public String oneLine() {
        return "fleet-server: invalid configuration: " + getMessage();
    }

    private static String format(String key, @Nullable String origin, String problem) {
        String line = key + ": " + problem + (origin == null ? "" : " (" + origin + ")");
        return line.replace('\n', ' ').replace('\r', ' ');
    }
}
