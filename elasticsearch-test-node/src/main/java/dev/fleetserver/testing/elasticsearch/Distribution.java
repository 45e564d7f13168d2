package dev.fleetserver.testing.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Finds the prepared Elasticsearch distribution and the JDK that runs it. */
final class Distribution {

    /** Overrides the home written into {@code elasticsearch-test-node.properties} by the build. */
    static final String HOME_PROPERTY = "fleet.test.elasticsearch.home";

    private static final String RESOURCE = "/elasticsearch-test-node.properties";
    // The distribution has no bundled JDK and refuses anything older than 21 (the machine default is 17).
    private static final Path FALLBACK_JAVA_HOME = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    private Distribution() {}

    /** The unpacked distribution, with our analysis plugin installed. Nodes only read it. */
    static Path home() {
        String override = System.getProperty(HOME_PROPERTY);
        String home = override != null && !override.isBlank()
                ? override
                : buildProperties().getProperty("home");
        Path path = Path.of(home).toAbsolutePath().normalize();
        if (!Files.isExecutable(path.resolve("bin/elasticsearch"))) {
            throw new IllegalStateException("No Elasticsearch distribution at " + path
                    + "; build the elasticsearch-test-node module (mvn install) or set -D" + HOME_PROPERTY);
        }
        return path;
    }

    /** The JDK given to the node as ES_JAVA_HOME: ours when it is new enough, so no second JDK is needed. */
    static Path javaHome() {
        return Runtime.version().feature() >= 21 ? Path.of(System.getProperty("java.home")) : FALLBACK_JAVA_HOME;
    }

    private static Properties buildProperties() {
        try (InputStream in = Distribution.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
