package dev.fleetserver.load.agent;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A share of the agents run by a worker process (the same jar, {@code worker} command), so that one run can hold
 * more connections than one process may open. Commands go to the worker's standard input as JSON lines and each
 * gets one JSON line back on its standard output ({@link Worker}); the worker's log goes to standard error.
 */
public final class WorkerProcessGroup implements AgentGroup {

    private final String name;
    private final Process process;
    private final BufferedWriter commands;
    private final BufferedReader replies;

    private WorkerProcessGroup(String name, Process process) {
        this.name = name;
        this.process = process;
        this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts a worker JVM with this JVM's class path and the given JVM options. */
    public static WorkerProcessGroup launch(String name, List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.fleetserver.load.LoadGenerator");
        command.add("worker");
        command.add(name);
        try {
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            return new WorkerProcessGroup(name, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start worker " + name, e);
        }
    }

    @Override
    public void start(AgentSpec spec, int firstIndex, int count, List<AgentCredentials> credentials) {
        ObjectNode command = command("start");
        command.set("spec", AgentWire.JSON.valueToTree(spec));
        command.put("firstIndex", firstIndex);
        command.put("count", count);
        command.set("credentials", AgentWire.JSON.valueToTree(credentials));
        call(command);
    }

    @Override
    public Stats.GroupStatus status() {
        return AgentWire.JSON.treeToValue(call(command("status")), Stats.GroupStatus.class);
    }

    @Override
    public Stats.Snapshot stats() {
        return AgentWire.JSON.treeToValue(call(command("stats")), Stats.Snapshot.class);
    }

    @Override
    public Deliveries.Delivery delivery(String actionId, long sinceMicros) {
        ObjectNode command = command("delivery").put("actionId", actionId).put("since", sinceMicros);
        return AgentWire.JSON.treeToValue(call(command), Deliveries.Delivery.class);
    }

    @Override
    public List<AgentCredentials> credentials() {
        return AgentWire.JSON
                .readerFor(new TypeReference<List<AgentCredentials>>() {})
                .readValue(call(command("credentials")));
    }

    @Override
    public void reconnectAll(long jitterMillis) {
        call(command("reconnect").put("jitterMillis", jitterMillis));
    }

    @Override
    public AckBurst.Result ackBurst(double ratePerSecond, long durationMillis, int maxInFlight) {
        ObjectNode command = command("ackBurst")
                .put("rate", ratePerSecond)
                .put("durationMillis", durationMillis)
                .put("maxInFlight", maxInFlight);
        return AgentWire.JSON.treeToValue(call(command), AckBurst.Result.class);
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                call(command("close"));
            }
        } catch (RuntimeException e) {
            // the worker is going away either way
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static ObjectNode command(String op) {
        return AgentWire.JSON.createObjectNode().put("op", op);
    }

    private synchronized JsonNode call(ObjectNode command) {
        try {
            commands.write(AgentWire.JSON.writeValueAsString(command));
            commands.newLine();
            commands.flush();
            String line = replies.readLine();
            if (line == null) {
                throw new IllegalStateException("worker " + name + " exited (code "
                        + (process.isAlive() ? "?" : String.valueOf(process.exitValue())) + ")");
            }
            JsonNode reply = AgentWire.JSON.readTree(line);
            if (reply.has("error")) {
                throw new IllegalStateException(
                        "worker " + name + ": " + reply.path("error").asString());
            }
            return reply.path("ok");
        } catch (IOException e) {
            throw new UncheckedIOException("worker " + name + " is unreachable", e);
        }
    }
}
