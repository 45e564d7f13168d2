package dev.fleetserver.load.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The worker process's side of {@link WorkerProcessGroup}: one {@link LocalAgentGroup} driven by JSON-line
 * commands on standard input. Standard output carries only replies; anything else printed goes to standard error.
 * The worker ends when told to or when its standard input closes (the coordinator is gone).
 */
public final class Worker {

    private Worker() {}

    public static void run(String name) throws IOException {
        PrintStream replies = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (LocalAgentGroup group = new LocalAgentGroup()) {
            String line;
            while ((line = commands.readLine()) != null) {
                ObjectNode reply = AgentWire.JSON.createObjectNode();
                boolean last = false;
                try {
                    JsonNode command = AgentWire.JSON.readTree(line);
                    String op = command.path("op").asString();
                    last = op.equals("close");
                    reply.set("ok", AgentWire.JSON.valueToTree(execute(group, op, command)));
                } catch (RuntimeException e) {
                    reply.put("error", name + ": " + e);
                }
                replies.println(AgentWire.JSON.writeValueAsString(reply));
                if (last) {
                    return;
                }
            }
        }
    }

    private static Object execute(LocalAgentGroup group, String op, JsonNode command) {
        return switch (op) {
            case "start" -> {
                group.start(
                        AgentWire.JSON.treeToValue(command.path("spec"), AgentSpec.class),
                        command.path("firstIndex").asInt(),
                        command.path("count").asInt(),
                        AgentWire.JSON
                                .readerFor(new TypeReference<List<AgentCredentials>>() {})
                                .readValue(command.path("credentials")));
                yield true;
            }
            case "status" -> group.status();
            case "stats" -> group.stats();
            case "delivery" ->
                group.delivery(
                        command.path("actionId").asString(),
                        command.path("since").asLong());
            case "credentials" -> group.credentials();
            case "reconnect" -> {
                group.reconnectAll(command.path("jitterMillis").asLong());
                yield true;
            }
            case "ackBurst" ->
                group.ackBurst(
                        command.path("rate").asDouble(),
                        command.path("durationMillis").asLong(),
                        command.path("maxInFlight").asInt());
            case "close" -> {
                group.close();
                yield true;
            }
            default -> throw new IllegalArgumentException("unknown command " + op);
        };
    }
}
