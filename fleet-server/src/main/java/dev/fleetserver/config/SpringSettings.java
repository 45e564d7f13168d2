package dev.fleetserver.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Spring Boot settings derived from {@code fleet-server.yml}: the listener, TLS, header limits and logging.
 * They are installed as Spring's lowest-precedence defaults, so a command-line {@code --server.port=0}
 * (tests) still wins. Nothing else of the file goes into Spring's {@code Environment}.
 */
public final class SpringSettings {

    /** The Spring property that names the store: {@code embedded} or {@code elasticsearch}. */
    public static final String STORE_PROPERTY = "fleetserver.store";

    /** The Spring property that says whether the management listener runs: {@code true} or {@code false}. */
    public static final String MANAGEMENT_PROPERTY = "fleetserver.management.enabled";

    private SpringSettings() {}

    public static Map<String, Object> derive(FleetServerConfig config) {
        Map<String, Object> settings = new LinkedHashMap<>();
        ServerConfig server = config.server();
        // Which storage adapters start (their configurations are conditional on it).
        settings.put(STORE_PROPERTY, config.store().name().toLowerCase(Locale.ROOT));
        settings.put(
                MANAGEMENT_PROPERTY,
                Boolean.toString(config.fleet().management().enabled()));
        settings.put("server.address", server.host());
        settings.put("server.port", server.port());
        settings.put("server.max-http-request-header-size", server.limits().maxHeaderByteSize() + "B");
        // Tomcat allocates this buffer for every request and keeps it while a long poll is held; the server's
        // own headers take a few hundred bytes (default 8 KiB).
        settings.put("server.tomcat.max-http-response-header-size", "2KB");
        settings.put(
                "server.tomcat.connection-timeout", millis(server.timeouts().readHeader()));
        settings.put(
                "server.tomcat.keep-alive-timeout", millis(server.timeouts().idle()));
        // Open long polls are answered at once on shutdown; the drain window covers the rest.
        settings.put(
                "spring.lifecycle.timeout-per-shutdown-phase",
                millis(server.timeouts().drain()));
        // Above the longest poll an agent may ask for, so Spring never times a checkin out itself.
        settings.put(
                "spring.mvc.async.request-timeout",
                millis(server.timeouts().checkinMaxPoll().plus(server.timeouts().write())));
        if (server.tlsEnabled()) {
            putServerTls(settings, server.ssl());
        }
        putLogging(settings, config.logging(), config.fleet().agent().logging().level());
        // ECS log lines name the server's own version, not whatever the runtime's manifest says.
        settings.put(
                "logging.structured.ecs.service.version",
                ServerVersion.of(config).number());
        return settings;
    }

    private static void putServerTls(Map<String, Object> settings, TlsConfig tls) {
        settings.put("server.ssl.enabled", true);
        settings.put("server.ssl.certificate", pemLocation(tls.certificate()));
        settings.put("server.ssl.certificate-private-key", pemLocation(tls.key()));
        if (tls.keyPassphrase() != null) {
            settings.put("server.ssl.key-password", tls.keyPassphrase().value());
        } else if (tls.keyPassphrasePath() != null && !tls.keyPassphrasePath().isBlank()) {
            settings.put("server.ssl.key-password", readPassphrase(tls.keyPassphrasePath()));
        }
        if (!tls.certificateAuthorities().isEmpty()) {
            settings.put(
                    "server.ssl.trust-certificate",
                    pemLocation(tls.certificateAuthorities().getFirst()));
        }
        settings.put(
                "server.ssl.client-auth",
                switch (tls.effectiveClientAuthentication()) {
                    case NONE -> "none";
                    case OPTIONAL -> "want";
                    case REQUIRED -> "need";
                });
        settings.put("server.ssl.enabled-protocols", String.join(",", tls.supportedProtocols()));
        if (!tls.cipherSuites().isEmpty()) {
            settings.put("server.ssl.ciphers", String.join(",", tls.cipherSuites()));
        }
        settings.put("server.http2.enabled", true);
    }

    /** Spring reads PEM either inline or from a location; a plain path becomes a {@code file:} location. */
    private static String pemLocation(String value) {
        return value.contains("-----BEGIN") ? value : "file:" + Path.of(value).toAbsolutePath();
    }

    private static String readPassphrase(String path) {
        try {
            return java.nio.file.Files.readString(Path.of(path)).strip();
        } catch (java.io.IOException e) {
            throw new ConfigException("inputs[0].server.ssl.key_passphrase_path", path, "cannot be read");
        }
    }

    private static void putLogging(
            Map<String, Object> settings,
            FleetServerConfig.Logging logging,
            @org.jspecify.annotations.Nullable String agentLevel) {
        String level = agentLevel != null && !agentLevel.isBlank() ? agentLevel : logging.level();
        settings.put("logging.level.root", springLevel(level));
        if (logging.toStderr()) {
            if (!logging.pretty()) {
                settings.put("logging.structured.format.console", "ecs");
            }
        } else {
            settings.put("logging.threshold.console", "OFF");
        }
        if (logging.toFiles() && !logging.toStderr()) {
            FleetServerConfig.LogFiles files = logging.files();
            Path dir = files.path() == null || files.path().isBlank() ? Path.of("") : Path.of(files.path());
            settings.put(
                    "logging.file.name",
                    dir.resolve(files.name()).toAbsolutePath().toString());
            settings.put("logging.structured.format.file", "ecs");
            settings.put("logging.logback.rollingpolicy.max-file-size", files.rotateeverybytes() + "B");
            settings.put("logging.logback.rollingpolicy.max-history", files.keepfiles());
            settings.put("logging.logback.rollingpolicy.clean-history-on-start", files.rotateonstartup());
        }
    }

    private static String springLevel(String level) {
        return switch (level.toLowerCase(Locale.ROOT)) {
            case "warning" -> "WARN";
            default -> level.toUpperCase(Locale.ROOT);
        };
    }

    private static String millis(Duration duration) {
        return duration.toMillis() + "ms";
    }
}
