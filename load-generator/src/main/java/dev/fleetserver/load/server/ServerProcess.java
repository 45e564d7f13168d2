package dev.fleetserver.load.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Fleet Server started by the generator, as operators run it: {@code java [options] -jar fleet-server.jar -c
 * fleet-server.yml [-E key=value ...]}, its output in {@code server.log} of the run's directory. The service token
 * reaches the file through an environment variable, never through the file itself.
 */
public final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final int monitoringPort;
    private final long startedNanos;
    private final Path log;

    private ServerProcess(Process process, int port, int monitoringPort, long startedNanos, Path log) {
        this.process = process;
        this.port = port;
        this.monitoringPort = monitoringPort;
        this.startedNanos = startedNanos;
        this.log = log;
    }

    /**
     * @param elasticsearch the store's Elasticsearch, or null for the embedded store
     * @param serviceToken the {@code elastic/fleet-server} token for {@code elasticsearch}
     * @param overrides {@code key=value} settings passed as {@code -E}
     */
    public static ServerProcess start(
            Path jar,
            Path workDir,
            URI elasticsearch,
            String serviceToken,
            List<String> jvmOptions,
            List<String> overrides) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(
                    jar + " does not exist: build it with ./mvnw -o -q -DskipTests package -pl fleet-server");
        }
        try {
            Files.createDirectories(workDir);
            int port = freePort();
            int monitoringPort = freePort();
            String output = elasticsearch == null ? "" : """
                    output.elasticsearch:
                      hosts: ['%s']
                      service_token: '${FLEET_SERVER_SERVICE_TOKEN}'
                    """.formatted(elasticsearch);
            Path config = workDir.resolve("fleet-server.yml");
            Files.writeString(config, output + """
                    inputs:
                      - type: fleet-server
                        server:
                          host: 127.0.0.1
                          port: %d
                    http:
                      enabled: true
                      host: 127.0.0.1
                      port: %d
                    logging:
                      to_stderr: true
                      level: info
                    path.data: '%s'
                    """.formatted(port, monitoringPort, workDir.resolve("data")));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString(), "-c", config.toString()));
            for (String override : overrides) {
                command.add("-E");
                command.add(override);
            }
            Path log = workDir.resolve("server.log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            if (serviceToken != null) {
                builder.environment().put("FLEET_SERVER_SERVICE_TOKEN", serviceToken);
            }
            long started = System.nanoTime();
            return new ServerProcess(builder.start(), port, monitoringPort, started, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the server", e);
        }
    }

    /**
     * Waits until {@code GET /api/status} answers 200 and returns the time from process start to that answer.
     */
    public Duration awaitReady(Duration within) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI status = URI.create("http://127.0.0.1:" + port + "/api/status");
        long deadline = startedNanos + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(status)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - startedNanos);
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("the server was not ready within " + within + "; see " + log);
    }

    public long pid() {
        return process.pid();
    }

    /** The agent listener as {@code host:port}. */
    public String agentAddress() {
        return "127.0.0.1:" + port;
    }

    public URI monitoring() {
        return URI.create("http://127.0.0.1:" + monitoringPort);
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
