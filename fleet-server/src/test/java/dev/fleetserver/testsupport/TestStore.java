package dev.fleetserver.testsupport;

import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The store the end-to-end tests run against, chosen once per test JVM by the system property {@value #PROPERTY}
 * ({@code elasticsearch}, the default, or {@code embedded}); the build runs the suite once with each. A test asks
 * it for a server configuration and for the {@link KibanaSide} of that store, and is otherwise the same for both.
 *
 * <p>On the embedded store each server gets a fresh data directory under {@code target/embedded-data}. The test
 * node still runs: it is the cluster the policies' output sends agents' data to, where the server makes their
 * output keys.
 */
public enum TestStore {
    ELASTICSEARCH,
    EMBEDDED;

    public static final String PROPERTY = "fleet.test.store";

    private static final TestStore CURRENT = parse(System.getProperty(PROPERTY, ""));

    public static TestStore current() {
        return CURRENT;
    }

    static TestStore parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "", "elasticsearch" -> ELASTICSEARCH;
            case "embedded" -> EMBEDDED;
            default ->
                throw new IllegalArgumentException(
                        PROPERTY + " must be elasticsearch or embedded, not '" + value + "'");
        };
    }

    /** The test node's superuser client (the fleet's store, or the output cluster on the embedded store). */
    public static ElasticsearchAdmin node() {
        return new ElasticsearchAdmin(TestElasticsearch.shared());
    }

    /** A server on random ports on this store; {@code serverYaml} goes under {@code inputs[0].server}. */
    public FleetServerConfig config(String serverYaml) {
        return config(serverYaml, "");
    }

    /** Like {@link #config(String)}, with {@code extra} YAML at the top level. */
    public FleetServerConfig config(String serverYaml, String extra) {
        return switch (this) {
            case ELASTICSEARCH -> TestConfigs.forNode(TestElasticsearch.shared(), serverYaml, extra);
            case EMBEDDED -> TestConfigs.embedded(newDataDirectory(), serverYaml, extra);
        };
    }

    /** What Kibana does to the fleet of {@code server}, which policies send to {@code server}'s agent listener. */
    public KibanaSide kibana(RunningServer server) {
        SimulatedKibana elasticsearch = new SimulatedKibana(node(), server.agentUri());
        return switch (this) {
            case ELASTICSEARCH -> elasticsearch;
            case EMBEDDED -> new EmbeddedFleet(server, elasticsearch);
        };
    }

    private static Path newDataDirectory() {
        try {
            Path base = Files.createDirectories(Path.of("target", "embedded-data"));
            return Files.createTempDirectory(base, "fleet-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
