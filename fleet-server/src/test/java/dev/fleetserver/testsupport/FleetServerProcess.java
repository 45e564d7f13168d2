package dev.fleetserver.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server as operators run it: a separate JVM started with {@code -c FILE}. Uses the packaged jar when the
 * build made one (integration tests), else this JVM's classpath. Output goes to a file under the run's log
 * directory, so the secret scan covers it too.
 */
public final class FleetServerProcess implements AutoCloseable {

    private final Process process;
    private final Path output;

    private FleetServerProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    public static FleetServerProcess start(Map<String, String> env, String... args) {
        return startIn(null, env, args);
    }

    /** Starts the server with {@code workingDirectory} as its current directory ({@code ./fleet-server.yml}, {@code ./data}). */
    public static FleetServerProcess startIn(Path workingDirectory, Map<String, String> env, String... args) {
        return startIn(Secrets.LOG_DIR, workingDirectory, env, args);
    }

    /**
     * Like {@link #startIn(Path, Map, String...)}, for a first start that shows a secret on the console on purpose
     * (the quick start's enrollment token and operator key): its output goes beside the run's logs, out of the
     * secret scan, and the test checks the log lines in it itself.
     */
    public static FleetServerProcess startShowingSecretsIn(
            Path workingDirectory, Map<String, String> env, String... args) {
        return startIn(Path.of("target", "test-consoles"), workingDirectory, env, args);
    }

    private static FleetServerProcess startIn(
            Path outputDirectory, Path workingDirectory, Map<String, String> env, String... args) {
        try {
            Files.createDirectories(outputDirectory);
            Path output = Files.createTempFile(outputDirectory, "process-", ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            String jar = System.getProperty("fleet.test.jar");
            if (jar != null && Files.isRegularFile(Path.of(jar))) {
                command.addAll(List.of("-jar", jar));
            } else {
                command.addAll(List.of(
                        "-cp", System.getProperty("java.class.path"), "dev.fleetserver.FleetServerApplication"));
            }
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(false)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(output.toFile()));
            builder.environment().putAll(env);
            if (workingDirectory != null) {
                builder.directory(workingDirectory.toFile());
            }
            return new FleetServerProcess(builder.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the process to end and returns its exit code. */
    public int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the server did not exit within " + within + "; output:\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ends the process at once, as {@code kill -9} does: no shutdown hook, no flush, no graceful anything. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process wrote to standard output and standard error. */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
