package dev.fleetserver.testing.elasticsearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * One Elasticsearch node per test JVM, started on first use and shared by all tests.
 *
 * <p>A node takes 10–30 s to start, so tests share one and keep their data apart (own index
 * names, API keys). It runs in a fresh subdirectory of the system property
 * {@value #WORKDIR_PROPERTY}, else of {@code target/elasticsearch-run} when the working
 * directory has a {@code target} directory (a Maven module), else of a temporary directory. It
 * stops when the JUnit launcher session closes ({@link SessionListener}), or with the JVM.
 */
public final class TestElasticsearch {

    /** Directory under which each shared node gets its own subdirectory. */
    public static final String WORKDIR_PROPERTY = "fleet.test.elasticsearch.workdir";

    private static ElasticsearchNode node;
    private static RuntimeException failure;

    private TestElasticsearch() {}

    /**
     * The node of this JVM, started by the first call.
     *
     * @throws IllegalStateException if it could not be started (now or by an earlier call, which is
     *     not retried, so that a broken setup fails every test quickly)
     */
    public static synchronized ElasticsearchNode shared() {
        if (node != null) {
            return node;
        }
        if (failure != null) {
            throw new IllegalStateException("The shared Elasticsearch node failed to start earlier", failure);
        }
        try {
            Path base = baseDirectory();
            Files.createDirectories(base);
            node = ElasticsearchNode.start(Files.createTempDirectory(base, "node-"));
            return node;
        } catch (IOException e) {
            failure = new UncheckedIOException(e);
            throw failure;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    private static synchronized void stopShared() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    private static Path baseDirectory() {
        String configured = System.getProperty(WORKDIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        Path target = Path.of("target").toAbsolutePath();
        if (Files.isDirectory(target)) {
            return target.resolve("elasticsearch-run");
        }
        // Not createTempDirectory: its 0700 would keep the node user out when we run as root.
        return Path.of(System.getProperty("java.io.tmpdir"), "fleet-test-elasticsearch");
    }

    /**
     * Stops the shared node when the JUnit launcher session ends (registered through
     * {@code META-INF/services}); does nothing when no test asked for the node.
     */
    public static final class SessionListener implements LauncherSessionListener {

        /** Called by the JUnit platform's service loader. */
        public SessionListener() {}

        @Override
        public void launcherSessionClosed(LauncherSession session) {
            stopShared();
        }
    }
}
