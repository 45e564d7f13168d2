package dev.fleetserver.testing.elasticsearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real single-node Elasticsearch, started from the distribution this module's build prepared
 * (the {@code integ-test-zip}, plus our analysis plugin so that API keys work).
 *
 * <p>The node gets its own configuration, data and logs under the given work directory and
 * shares the distribution with other nodes. Security is on; the node has a file-realm superuser
 * and a file-based service token for {@code elastic/fleet-server}. When the JVM runs as root,
 * the node runs as the system user {@code fleetes}, because Elasticsearch refuses root.
 *
 * <p>{@link #close()} stops the node; a shutdown hook stops it too if the JVM ends first.
 */
public final class ElasticsearchNode implements AutoCloseable {

    private static final String SUPERUSER = "fleet-test-admin";
    private static final String TOKEN_NAME = "fleet-server-test";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    // Marks a directory as ours, so a later start may wipe it (and nothing else).
    private static final String MARKER = ".elasticsearch-test-node";
    private static final Pattern SERVICE_TOKEN =
            Pattern.compile("SERVICE_TOKEN elastic/fleet-server/" + TOKEN_NAME + " = (\\S+)");

    private final Path workDir;
    private final int httpPort;
    private final String superuserPassword;
    private final String serviceToken;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::stop, "elasticsearch-test-node-stop");
    private volatile String version;

    private ElasticsearchNode(Path workDir, int httpPort, String superuserPassword, String serviceToken) {
        this.workDir = workDir;
        this.httpPort = httpPort;
        this.superuserPassword = superuserPassword;
        this.serviceToken = serviceToken;
    }

    /**
     * Starts a fresh node and waits until it is ready, including its security index.
     *
     * @param workDir where the node keeps its config, data and logs: a missing or empty directory,
     *     or one a previous start used (it is wiped, and a node still running from it is stopped)
     * @throws IllegalStateException if the node does not come up; the message ends with its log
     */
    public static ElasticsearchNode start(Path workDir) {
        Path home = Distribution.home();
        Path dir = workDir.toAbsolutePath().normalize();
        prepareWorkDir(dir);
        int httpPort = NodeConfig.freePort();
        int transportPort = NodeConfig.freePort();
        NodeConfig.write(
                home, dir.resolve("config"), dir.resolve("data"), dir.resolve("logs"), httpPort, transportPort);

        // Credentials live in files in the config dir, so they exist before the node and its security index do.
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ES_JAVA_HOME", Distribution.javaHome().toString());
        env.put("ES_PATH_CONF", dir.resolve("config").toString());
        String password = randomPassword();
        Commands.run(
                List.of(
                        home.resolve("bin/elasticsearch-users").toString(),
                        "useradd",
                        SUPERUSER,
                        "-p",
                        password,
                        "-r",
                        "superuser"),
                env);
        String tokenOutput = Commands.run(
                List.of(
                        home.resolve("bin/elasticsearch-service-tokens").toString(),
                        "create",
                        "elastic/fleet-server",
                        TOKEN_NAME),
                env);
        Matcher token = SERVICE_TOKEN.matcher(tokenOutput);
        if (!token.find()) {
            throw new IllegalStateException("Unexpected output of elasticsearch-service-tokens: " + tokenOutput);
        }
        env.put("ES_TMPDIR", dir.resolve("tmp").toString());
        if (Commands.isRoot()) {
            grantNodeUser(home, dir, env.get("ES_JAVA_HOME"));
        }

        ElasticsearchNode node = new ElasticsearchNode(dir, httpPort, password, token.group(1));
        Runtime.getRuntime().addShutdownHook(node.shutdownHook);
        try {
            node.launch(home, env);
            node.awaitReady();
            return node;
        } catch (RuntimeException | IOException e) {
            node.close();
            throw new IllegalStateException(
                    "Elasticsearch in " + dir + " did not start: " + e.getMessage() + "\n" + node.logTail(), e);
        }
    }

    /** The HTTP endpoint, {@code http://127.0.0.1:<port>}. */
    public URI httpUri() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /** The HTTP port on 127.0.0.1. */
    public int httpPort() {
        return httpPort;
    }

    /** A service token for {@code elastic/fleet-server}; send it as {@code Authorization: Bearer <token>}. */
    public String serviceToken() {
        return serviceToken;
    }

    /** The name of a file-realm user with the {@code superuser} role. */
    public String superuser() {
        return SUPERUSER;
    }

    /** The superuser's password, random per node. */
    public String superuserPassword() {
        return superuserPassword;
    }

    /** The version the running node reports, such as {@code 9.5.0}. */
    public String version() {
        return version;
    }

    /** The node's main log file. */
    public Path logFile() {
        return workDir.resolve("logs").resolve(NodeConfig.CLUSTER_NAME + ".log");
    }

    /** Stops the node (SIGTERM, then SIGKILL after 30 s). Calling it again does nothing. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or will run; stop() is idempotent
        }
    }

    private void stop() {
        if (closed.compareAndSet(false, true)) {
            stopProcess(workDir.resolve("es.pid"));
        }
    }

    // `-d` returns once the node has started (or failed to); its output goes to launcher.log.
    private void launch(Path home, Map<String, String> env) throws IOException {
        // JAVA_HOME is ignored in favour of ES_JAVA_HOME anyway; unset, it does not trigger a warning.
        StringBuilder commandLine = new StringBuilder("unset JAVA_HOME; ");
        env.forEach((name, value) -> commandLine
                .append(name)
                .append('=')
                .append(Commands.quote(value))
                .append(' '));
        commandLine
                .append("exec ")
                .append(Commands.quote(home.resolve("bin/elasticsearch")))
                .append(" -d -p ")
                .append(Commands.quote(workDir.resolve("es.pid")));
        Process launcher = new ProcessBuilder(Commands.asNodeUser(commandLine.toString()))
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        workDir.resolve("launcher.log").toFile()))
                .start();
        try {
            if (!launcher.waitFor(READY_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
                throw new IllegalStateException("bin/elasticsearch -d did not return");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting", e);
        }
        if (launcher.exitValue() != 0) {
            throw new IllegalStateException("bin/elasticsearch exited with " + launcher.exitValue());
        }
    }

    // Green health alone is not enough: the security index is created on first use, and until it is
    // allocated every service-account request fails with 503. Creating an API key forces it now.
    private void awaitReady() throws IOException {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        NodeHttp http = new NodeHttp(httpUri(), SUPERUSER, superuserPassword);
        await(deadline, "cluster health yellow", () -> http.get("/_cluster/health?wait_for_status=yellow&timeout=1s"));
        NodeHttp.Response key = await(
                deadline,
                "an API key (security index)",
                () -> http.post("/_security/api_key?refresh=true", "{\"name\":\"elasticsearch-test-node-warmup\"}"));
        String keyId = NodeHttp.stringField(key.body(), "id").orElseThrow();
        expectOk(http.delete("/_security/api_key", "{\"ids\":[\"" + keyId + "\"]}"), "invalidating the API key");
        expectOk(http.get("/_cluster/health/.security?wait_for_status=green&timeout=60s"), "security index green");
        version = NodeHttp.stringField(
                        http.get("/_nodes/_local/http?filter_path=nodes.*.version")
                                .body(),
                        "version")
                .orElseThrow(() -> new IllegalStateException("The node did not report its version"));
    }

    private interface Request {
        NodeHttp.Response send() throws IOException;
    }

    // Retries until 200 while the node is alive; transport errors are expected until HTTP is bound.
    private NodeHttp.Response await(Instant deadline, String what, Request request) {
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                NodeHttp.Response response = request.send();
                if (response.status() == 200) {
                    return response;
                }
                last = response.status() + " " + response.body();
                // 503 (shards not yet allocated) and 408 (health timeout) pass; a 4xx will not.
                if (response.status() < 500 && response.status() != 408 && response.status() != 429) {
                    throw new IllegalStateException(what + " failed: " + last);
                }
            } catch (IOException e) {
                last = e.toString();
            }
            if (readPid()
                    .flatMap(ProcessHandle::of)
                    .filter(ProcessHandle::isAlive)
                    .isEmpty()) {
                throw new IllegalStateException("The node exited while waiting for " + what);
            }
            sleep(Duration.ofMillis(250));
        }
        throw new IllegalStateException("Timed out after " + READY_TIMEOUT + " waiting for " + what + ": " + last);
    }

    private static void expectOk(NodeHttp.Response response, String what) {
        if (response.status() != 200) {
            throw new IllegalStateException(what + " failed: " + response.status() + " " + response.body());
        }
    }

    private Optional<Long> readPid() {
        return readPid(workDir.resolve("es.pid"));
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    // Only signals a process that still looks like Elasticsearch, in case the pid was reused.
    private static void stopProcess(Path pidFile) {
        Optional<ProcessHandle> process = readPid(pidFile)
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info()
                        .commandLine()
                        .map(line -> line.contains("elasticsearch"))
                        .orElse(true));
        if (process.isEmpty()) {
            return;
        }
        ProcessHandle handle = process.get();
        handle.destroy();
        try {
            handle.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            handle.destroyForcibly();
            handle.onExit().completeOnTimeout(handle, 10, TimeUnit.SECONDS).join();
        } catch (InterruptedException e) {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            handle.destroyForcibly();
        }
    }

    // A previous start's directory is reused (handy for LocalElasticsearch); anything else must be empty.
    private static void prepareWorkDir(Path dir) {
        try {
            if (Files.isDirectory(dir) && !isEmpty(dir)) {
                if (!Files.exists(dir.resolve(MARKER))) {
                    throw new IllegalArgumentException(
                            dir + " is neither empty nor a previous Elasticsearch test node directory");
                }
                stopProcess(dir.resolve("es.pid"));
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                        if (!path.equals(dir)) {
                            Files.delete(path);
                        }
                    }
                }
            }
            Files.createDirectories(dir);
            Files.createFile(dir.resolve(MARKER));
            for (String sub : List.of("data", "logs", "tmp")) {
                Files.createDirectories(dir.resolve(sub));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare " + dir, e);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    // As root: the node user must own its directory and read the distribution and the JDK.
    private static void grantNodeUser(Path home, Path dir, String javaHome) {
        Commands.ensureNodeUser();
        Commands.run(List.of("chmod", "-R", "a+rX", home.toString()), Map.of());
        Commands.run(List.of("chown", "-R", Commands.NODE_USER, dir.toString()), Map.of());
        String check = "test -r " + Commands.quote(home.resolve("lib")) + " && test -x "
                + Commands.quote(home.resolve("bin/elasticsearch")) + " && test -x "
                + Commands.quote(Path.of(javaHome, "bin/java")) + " && test -w " + Commands.quote(dir.resolve("data"));
        try {
            Commands.run(Commands.asNodeUser(check), Map.of());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "User " + Commands.NODE_USER + " cannot use " + home + ", " + javaHome + " or " + dir
                            + "; make their parent directories traversable (chmod o+x)",
                    e);
        }
    }

    private String logTail() {
        Path log = Files.exists(logFile()) ? logFile() : workDir.resolve("launcher.log");
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log at " + log + ")";
        }
    }

    private static String randomPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
