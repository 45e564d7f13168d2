package dev.fleetserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.TestCertificates;
import dev.fleetserver.testsupport.TestConfigs;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The agent listener with TLS from PEM files named in fleet-server.yml. */
class ListenerTlsTests {

    @Test
    void servesHttpsWithTheConfiguredCertificate() throws Exception {
        TestCertificates certificates = TestCertificates.create(Path.of("target", "tls", "listener"), "listener");
        String ssl = """
                inputs:
                  - type: fleet-server
                    server:
                      host: 127.0.0.1
                      port: 0
                      ssl:
                        certificate: %s
                        key: %s
                """.formatted(certificates.serverCertPem, certificates.serverKeyPem);
        String yaml = TestConfigs.yaml("http://127.0.0.1:1", "service_token: x", "")
                .replaceFirst("(?s)inputs:.*?http:", ssl + "http:");

        try (var server = RunningServer.start(TestConfigs.load(yaml, java.util.Map.of()))) {
            assertThat(server.agentUri().getScheme()).isEqualTo("https");
            HttpResponse<String> response =
                    Http.tls(certificates.clientContext()).get(server.agent("/api/status"));
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(Http.json(response).path("status").asString()).isEqualTo("STARTING");
            assertThat(response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);

            URI plain = URI.create("http://127.0.0.1:" + server.agentUri().getPort() + "/api/status");
            int plainAnswer;
            try {
                plainAnswer = Http.plain().get(plain).statusCode();
            } catch (java.io.UncheckedIOException e) {
                plainAnswer = -1;
            }
            assertThat(plainAnswer).as("plain HTTP on the TLS port").isNotIn(200, 503);
        }
    }
}
