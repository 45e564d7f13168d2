package dev.fleetserver.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version this server reports ({@code /api/status}) and checks agents' versions against: the configured
 * {@code inputs[0].server.version}, else the build's compatibility version.
 *
 * @param number e.g. {@code 9.5.0}
 * @param buildHash the commit the server was built from, or {@code unknown}
 * @param buildTime RFC 3339 time of the build, or empty when unknown
 */
public record ServerVersion(String number, String buildHash, String buildTime) {

    public static ServerVersion of(FleetServerConfig config) {
        Properties build = load("fleet-server-build.properties");
        Properties git = load("git.properties");
        Properties info = load("META-INF/build-info.properties");
        String configured = config.server().version();
        String number = configured != null && !configured.isBlank()
                ? configured
                : build.getProperty("fleet.compat.version", "9.5.0");
        return new ServerVersion(
                number, git.getProperty("git.commit.id.abbrev", "unknown"), info.getProperty("build.time", ""));
    }

    private static Properties load(String resource) {
        Properties properties = new Properties();
        try (InputStream in = ServerVersion.class.getClassLoader().getResourceAsStream(resource)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // Build metadata is informational; without it the defaults apply.
        }
        return properties;
    }
}
