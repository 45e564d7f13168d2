package dev.fleetserver.testing.elasticsearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs external commands: the distribution's CLI tools, and the user switch needed when running as root. */
final class Commands {

    /** Elasticsearch refuses to run as root, so as root the node runs as this system user. */
    static final String NODE_USER = "fleetes";

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
    private static volatile Boolean root;

    private Commands() {}

    /** Runs a short-lived command and returns its combined output; fails unless it exits with 0. */
    static String run(List<String> command, Map<String, String> env) {
        Path output = null;
        try {
            output = Files.createTempFile("elasticsearch-test-node-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.redirectOutput(output.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Timed out after " + TOOL_TIMEOUT + ": " + command);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "Exit code " + process.exitValue() + " from " + command + ":\n" + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command, e);
        } finally {
            deleteQuietly(output);
        }
    }

    /** Whether this JVM runs as root (as in CI), which Elasticsearch does not allow for itself. */
    static boolean isRoot() {
        if (root == null) {
            root = run(List.of("id", "-u"), Map.of()).strip().equals("0");
        }
        return root;
    }

    /** The command that runs a shell command line as the node's user (via su when we are root). */
    static List<String> asNodeUser(String commandLine) {
        return isRoot()
                ? List.of("su", "-s", "/bin/bash", NODE_USER, "-c", commandLine)
                : List.of("/bin/bash", "-c", commandLine);
    }

    /** Creates {@link #NODE_USER} if missing. Parallel test JVMs may race here, hence the re-check. */
    static synchronized void ensureNodeUser() {
        if (userExists()) {
            return;
        }
        try {
            run(
                    List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NODE_USER),
                    Map.of());
        } catch (IllegalStateException e) {
            if (!userExists()) {
                throw e;
            }
        }
    }

    /** Quotes a value for a bash command line. */
    static String quote(Object value) {
        return "'" + value.toString().replace("'", "'\\''") + "'";
    }

    private static boolean userExists() {
        try {
            run(List.of("id", "-u", NODE_USER), Map.of());
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // only a temporary file
            }
        }
    }
}
