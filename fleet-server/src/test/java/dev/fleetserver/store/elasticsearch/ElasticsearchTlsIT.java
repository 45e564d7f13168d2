package dev.fleetserver.store.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.health.HealthState;
import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.TcpProxy;
import dev.fleetserver.testsupport.TestCertificates;
import dev.fleetserver.testsupport.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TLS towards Elasticsearch: the node is reached through a TLS-terminating proxy whose certificate a
 * throwaway CA signed, trusted by a CA file or by {@code ca_trusted_fingerprint}.
 */
@ExtendWith(NoSecretsInLogs.class)
class ElasticsearchTlsIT {

    private static final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());
    private static TestCertificates certificates;
    private static TcpProxy proxy;

    @BeforeAll
    static void startProxy() throws Exception {
        certificates = TestCertificates.create(Path.of("target", "tls", "elasticsearch"), "elasticsearch");
        proxy = TcpProxy.tlsTo("127.0.0.1", admin.node().httpPort(), certificates.serverContext());
    }

    @AfterAll
    static void stopProxy() throws Exception {
        proxy.close();
    }

    @Test
    void aCaFileIsTrusted() {
        assertReady("""
                  ssl:
                    certificate_authorities: ['%s']
                """.formatted(certificates.caPem));
    }

    @Test
    void theHostNameIsCheckedAgainstTheCertificate() {
        assertReady("localhost", """
                  ssl:
                    certificate_authorities: ['%s']
                    verification_mode: full
                """.formatted(certificates.caPem));
    }

    @Test
    void aCaFingerprintIsTrusted() throws Exception {
        assertReady("""
                  ssl:
                    ca_trusted_fingerprint: %s
                """.formatted(certificates.caFingerprint()));
    }

    @Test
    void anUnknownCaIsRefused() {
        try (var server = start("127.0.0.1", "  ssl:\n    verification_mode: full\n")) {
            sleep(Duration.ofSeconds(4));
            assertThat(server.state()).isEqualTo(HealthState.STARTING);
        }
    }

    @Test
    void aWrongFingerprintIsRefused() {
        try (var server = start("127.0.0.1", "  ssl:\n    ca_trusted_fingerprint: " + "ab".repeat(32) + "\n")) {
            sleep(Duration.ofSeconds(4));
            assertThat(server.state()).isEqualTo(HealthState.STARTING);
        }
    }

    private void assertReady(String ssl) {
        assertReady("127.0.0.1", ssl);
    }

    private void assertReady(String host, String ssl) {
        try (var server = start(host, ssl)) {
            server.awaitState(HealthState.HEALTHY, Duration.ofSeconds(60));
        }
    }

    private RunningServer start(String host, String ssl) {
        String yaml = TestConfigs.yaml("https://" + host + ":" + proxy.port(), "service_token: ${TOKEN}\n" + ssl, "");
        return RunningServer.start(
                TestConfigs.load(yaml, Map.of("TOKEN", admin.node().serviceToken())));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
