package dev.fleetserver.testsupport;

import dev.fleetserver.config.FleetConfigLoader;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.testing.elasticsearch.ElasticsearchNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Configuration files for tests, written to disk and loaded exactly as the server loads them. */
public final class TestConfigs {

    private TestConfigs() {}

    public static Path write(String yaml) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "test-configs"));
            Path file = Files.createTempFile(dir, "fleet-server-", ".yml");
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static FleetServerConfig load(String yaml, Map<String, String> env) {
        return new FleetConfigLoader(env::get).load(write(yaml), Map.of());
    }

    /**
     * A server on random ports (agent listener and monitoring listener) talking to {@code hosts} with
     * {@code token}. Extra YAML is appended at the top level.
     */
    public static String yaml(String hosts, String tokenLine, String extra) {
        return """
                output.elasticsearch:
                  hosts: ['%s']
                  %s
                """.formatted(hosts, tokenLine) + listeners(extra);
    }

    /**
     * A server on the embedded store in {@code data}, on random ports; {@code serverYaml} is inserted under
     * {@code inputs[0].server} as in {@link #forNode(ElasticsearchNode, String)}, {@code extra} at the top level.
     */
    public static FleetServerConfig embedded(Path data, String serverYaml, String extra) {
        String yaml = "fleet.store: embedded\npath.data: '" + data.toAbsolutePath() + "'\n" + listeners(extra);
        return load(yaml.replace("      port: 0\n", "      port: 0\n" + serverYaml), Map.of());
    }

    /** The agent and monitoring listeners on random ports, logging to the console, then {@code extra}. */
    private static String listeners(String extra) {
        return """
                inputs:
                  - type: fleet-server
                    server:
                      host: 127.0.0.1
                      port: 0
                http:
                  enabled: true
                  host: 127.0.0.1
                  port: 0
                logging:
                  to_stderr: true
                  level: info
                %s
                """.formatted(extra);
    }

    /** A configuration for the test node, with its file-based service token. */
    public static FleetServerConfig forNode(ElasticsearchNode node) {
        return forNode(node, "");
    }

    /**
     * A configuration for the test node; {@code serverYaml} is inserted under {@code inputs[0].server} (indented
     * by six spaces), e.g. {@link #SHORT_POLLS} for agent tests.
     */
    public static FleetServerConfig forNode(ElasticsearchNode node, String serverYaml) {
        return forNode(node, serverYaml, "");
    }

    /** Like {@link #forNode(ElasticsearchNode, String)}, with {@code extra} YAML appended at the top level. */
    public static FleetServerConfig forNode(ElasticsearchNode node, String serverYaml, String extra) {
        Secrets.register(node.serviceToken());
        String yaml = yaml(node.httpUri().toString(), "service_token: ${TOKEN}", extra)
                .replace("      port: 0\n", "      port: 0\n" + serverYaml);
        return load(yaml, Map.of("TOKEN", node.serviceToken()));
    }

    /** Short long polls without jitter, so agent tests see quiet checkins end within seconds. */
    public static final String SHORT_POLLS = """
                  timeouts:
                    checkin_long_poll: 4s
                    checkin_jitter: 0s
            """;

    /**
     * A server on the embedded store in {@code dataPath} (no output), on random ports; {@code serverYaml} is inserted
     * under {@code inputs[0].server} as in {@link #forNode(ElasticsearchNode, String)}.
     */
    public static FleetServerConfig embedded(Path dataPath, String serverYaml) {
        String yaml = """
                path.data: '%s'
                inputs:
                  - type: fleet-server
                    server:
                      host: 127.0.0.1
                      port: 0
                %s
                http:
                  enabled: true
                  host: 127.0.0.1
                  port: 0
                logging:
                  to_stderr: true
                  level: info
                """.formatted(dataPath.toAbsolutePath(), serverYaml.stripTrailing());
        return load(yaml, Map.of());
    }

    /** A configuration whose Elasticsearch cannot be reached (nothing listens on the port). */
    public static FleetServerConfig unreachable(String extra) {
        return load(yaml("http://127.0.0.1:" + FreePorts.closed(), "service_token: not-a-real-token", extra), Map.of());
    }
}
