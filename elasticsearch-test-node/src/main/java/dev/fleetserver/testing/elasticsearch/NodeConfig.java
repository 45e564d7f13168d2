package dev.fleetserver.testing.elasticsearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Writes a node's own configuration directory (used through ES_PATH_CONF), so that many nodes can
 * share one read-only distribution instead of copying its 145 MB each.
 */
final class NodeConfig {

    static final String CLUSTER_NAME = "fleet-test";

    private NodeConfig() {}

    /** Copies the distribution's config and replaces elasticsearch.yml and the heap settings. */
    static void write(Path home, Path configDir, Path dataDir, Path logsDir, int httpPort, int transportPort) {
        try {
            copyTree(home.resolve("config"), configDir);
            Files.writeString(configDir.resolve("elasticsearch.yml"), """
                    # Written by elasticsearch-test-node: a throwaway single node on loopback.
                    cluster.name: %s
                    node.name: %s
                    path.data: %s
                    path.logs: %s
                    discovery.type: single-node
                    network.host: 127.0.0.1
                    http.port: %d
                    transport.port: %d
                    xpack.security.enabled: true
                    xpack.security.http.ssl.enabled: false
                    xpack.security.transport.ssl.enabled: false
                    xpack.security.authc.api_key.enabled: true
                    # Test machines often have full disks; never turn indices read-only because of that.
                    cluster.routing.allocation.disk.threshold_enabled: false
                    """.formatted(
                            CLUSTER_NAME, CLUSTER_NAME, dataDir, logsDir, httpPort, transportPort));
            Path options = configDir.resolve("jvm.options.d");
            Files.createDirectories(options);
            // 512 MB is enough for tests and keeps the node at about 800 MB RSS on small CI machines.
            Files.writeString(options.resolve("heap.options"), "-Xms512m\n-Xmx512m\n");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the node configuration in " + configDir, e);
        }
    }

    /** A currently free loopback port. Another process may take it before the node binds: rare enough for tests. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path copy = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
