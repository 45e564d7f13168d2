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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Fleet Server started by the generator, as operators run it: {@code java [options] -jar fleet-server.jar -c
 * fleet-server.yml [-E key=value ...]}, its output in {@code server.log} of the run's directory. The service token
 * and the operator key of the management API reach the file through environment variables, never through the file
 * itself. The embedded store lives in {@code data/} of that directory, so later runs with the same directory find
 * the agents of earlier ones.
 */
public final class ServerProcess implements AutoCloseable {

    /** The id of the operator key the generated configuration declares, with the {@code all} privilege. */
    public static final String OPERATOR_KEY_ID = "load-generator";

    private final Process process;
    private final int port;
    private final int monitoringPort;
    private final int managementPort;
    private final String operatorKey;
    private final long startedNanos;
    private final Path log;

    private ServerProcess(
            Process process,
            int port,
            int monitoringPort,
            int managementPort,
            String operatorKey,
            long startedNanos,
            Path log) {
        this.process = process;
        this.port = port;
        this.monitoringPort = monitoringPort;
        this.managementPort = managementPort;
        this.operatorKey = operatorKey;
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
            int managementPort = freePort();
            String operatorKey = randomKey();
            String output = elasticsearch == null ? "" : """
                    output.elasticsearch:
                      hosts: ['%s']
                      service_token: '${FLEET_SERVER_SERVICE_TOKEN}'
                    """.formatted(elasticsearch);
            Path config = workDir.resolve("fleet-server.yml");
            Files.writeString(
                    config,
                    output
                            + """
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
                    fleet:
                      management:
                        host: 127.0.0.1
                        port: %d
                        api_keys:
                          - {id: %s, key: '${FLEET_OPERATOR_KEY}', privileges: [all]}
                    """.formatted(
                                    port, monitoringPort, workDir.resolve("data"), managementPort, OPERATOR_KEY_ID));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString(), "-c", config.toString()));
            if (overrides.stream().anyMatch(o -> o.startsWith("inputs["))) {
                // Spring binds a list from one source only: an -E of inputs[0].x replaces the file's whole inputs
                // list, so the listener's own keys are repeated on the command line (the file's would be lost).
                for (String listener : List.of(
                        "inputs[0].type=fleet-server",
                        "inputs[0].server.host=127.0.0.1",
                        "inputs[0].server.port=" + port)) {
                    command.add("-E");
                    command.add(listener);
                }
            }
            for (String override : overrides) {
                command.add("-E");
                command.add(override);
            }
            Path log = workDir.resolve("server.log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("FLEET_OPERATOR_KEY", operatorKey);
            if (serviceToken != null) {
                builder.environment().put("FLEET_SERVER_SERVICE_TOKEN", serviceToken);
            }
            long started = System.nanoTime();
            return new ServerProcess(builder.start(), port, monitoringPort, managementPort, operatorKey, started, log);
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

    /** The management API (Kibana's Fleet API) of this server. */
    public URI management() {
        return URI.create("http://127.0.0.1:" + managementPort);
    }

    /** The secret of the operator key {@link #OPERATOR_KEY_ID}, made up for this process. */
    public String operatorKey() {
        return operatorKey;
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

    private static String randomKey() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
