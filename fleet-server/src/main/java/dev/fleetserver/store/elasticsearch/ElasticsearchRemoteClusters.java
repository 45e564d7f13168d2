package dev.fleetserver.store.elasticsearch;

import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.RemoteClusters;
import dev.fleetserver.config.ElasticsearchOutput;
import dev.fleetserver.config.Secret;
import dev.fleetserver.config.TlsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One client per {@code remote_elasticsearch} output, built from the output's {@code hosts}, {@code service_token}
 * and {@code ssl}, kept until the output's configuration changes (then replaced and the old one closed).
 */
final class ElasticsearchRemoteClusters implements RemoteClusters, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ElasticsearchRemoteClusters.class);

    private final MeterRegistry registry;
    private final Map<String, Remote> remotes = new ConcurrentHashMap<>();

    ElasticsearchRemoteClusters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiKeys keysFor(String outputName, ObjectNode outputConfig) {
        Remote current = remotes.get(outputName);
        if (current != null && current.config.equals(outputConfig)) {
            return current.keys;
        }
        ElasticsearchConnection connection = ElasticsearchConnection.open(output(outputConfig), registry);
        Remote created = new Remote(outputConfig.deepCopy(), connection, new ElasticsearchApiKeys(connection));
        Remote previous = remotes.put(outputName, created);
        if (previous != null) {
            closeQuietly(previous.connection);
            log.info("Remote output {} changed; using a new client", outputName);
        }
        return created.keys;
    }

    @Override
    public Optional<ApiKeys> lastKnown(String outputName) {
        return Optional.ofNullable(remotes.get(outputName)).map(Remote::keys);
    }

    /** The output's connection settings in the shape of {@code output.elasticsearch}. */
    private static ElasticsearchOutput output(ObjectNode config) {
        List<String> hosts = new ArrayList<>();
        for (JsonNode host : config.path("hosts")) {
            hosts.add(host.asString());
        }
        String token = config.path("service_token").asString("");
        JsonNode ssl = config.path("ssl");
        TlsConfig tls = ssl.isObject() ? tls(ssl) : null;
        return new ElasticsearchOutput(
                "https",
                hosts,
                null,
                null,
                token.isEmpty() ? null : new Secret(token),
                null,
                text(config, "proxy_url"),
                false,
                null,
                tls,
                Duration.ofSeconds(90),
                3,
                128,
                104857600);
    }

    private static TlsConfig tls(JsonNode ssl) {
        List<String> authorities = new ArrayList<>();
        for (JsonNode ca : ssl.path("certificate_authorities")) {
            authorities.add(ca.asString());
        }
        TlsConfig.VerificationMode mode = switch (ssl.path("verification_mode").asString("full")) {
            case "none" -> TlsConfig.VerificationMode.NONE;
            case "certificate" -> TlsConfig.VerificationMode.CERTIFICATE;
            case "strict" -> TlsConfig.VerificationMode.STRICT;
            default -> TlsConfig.VerificationMode.FULL;
        };
        return new TlsConfig(
                true,
                mode,
                authorities,
                null,
                null,
                null,
                null,
                List.of("TLSv1.2", "TLSv1.3"),
                null,
                null,
                null,
                text(ssl, "ca_trusted_fingerprint"),
                TlsConfig.Renegotiation.NEVER,
                null,
                new TlsConfig.CertificateReload(false, Duration.ofSeconds(5)));
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() && !value.asString().isEmpty() ? value.asString() : null;
    }

    @Override
    public void close() {
        remotes.values().forEach(remote -> closeQuietly(remote.connection));
        remotes.clear();
    }

    private static void closeQuietly(ElasticsearchConnection connection) {
        try {
            connection.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private record Remote(ObjectNode config, ElasticsearchConnection connection, ApiKeys keys) {}
}
