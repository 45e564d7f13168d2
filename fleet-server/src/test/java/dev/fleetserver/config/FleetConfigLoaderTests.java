package dev.fleetserver.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetserver.testsupport.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetConfigLoaderTests {

    private static final Path EVERY_KEY = Path.of("src/test/resources/config/every-key.yml");
    private static final Path REFERENCE = Path.of("../config/fleet-server.yml");

    private final FleetConfigLoader loader = new FleetConfigLoader(Map.of("FLEET_TEST_TOKEN", "token-from-env")::get);

    @Test
    void aFileUsingEveryKeyOfUpstreamsLayoutLoadsUnchanged() {
        FleetServerConfig config = loader.load(EVERY_KEY, Map.of());

        ElasticsearchOutput es = config.output().elasticsearch();
        assertThat(es.protocol()).isEqualTo("https");
        assertThat(es.hosts()).containsExactly("es1.example.invalid:9201", "https://es2.example.invalid:9243/");
        assertThat(es.headers()).containsEntry("X-Custom_Header", "value").containsEntry("X-Second-Header", "second");
        assertThat(es.serviceToken().value()).isEqualTo("token-from-env");
        assertThat(es.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(es.maxConnPerHost()).isEqualTo(64);
        assertThat(es.ssl().isEnabled()).isFalse();
        assertThat(es.ssl().verificationMode()).isEqualTo(TlsConfig.VerificationMode.CERTIFICATE);
        assertThat(es.ssl().renegotiation()).isEqualTo(TlsConfig.Renegotiation.ONCE);
        assertThat(es.ssl().certificateAuthorities()).hasSize(2);

        assertThat(config.fleet().agent().id()).isEqualTo("every-key-agent-id");
        assertThat(config.fleet().host().name()).isEqualTo("every-key-host");
        assertThat(config.input().policy().id()).isEqualTo("every-key-policy");

        ServerConfig server = config.server();
        assertThat(server.port()).isEqualTo(18220);
        assertThat(server.internalPort()).isEqualTo(18221);
        assertThat(server.ssl().effectiveClientAuthentication()).isEqualTo(TlsConfig.ClientAuthentication.OPTIONAL);
        assertThat(server.ssl().certificateReload().reloadInterval()).isEqualTo(Duration.ofSeconds(45));
        assertThat(server.timeouts().read()).isEqualTo(Duration.ofSeconds(90));
        assertThat(server.timeouts().checkinLongPoll()).isEqualTo(Duration.ofSeconds(150));
        assertThat(server.compressionLevel()).isEqualTo(6);
        assertThat(server.limits().maxAgents()).isEqualTo(2500);
        assertThat(server.limits().checkinLimit().interval()).isEqualTo(Duration.ofNanos(500_000));
        assertThat(server.limits().checkinLimit().maxBodyDecompressed()).isEqualTo(41943040L);
        assertThat(server.limits().statusLimit().interval()).isEqualTo(Duration.ofMillis(20));
        assertThat(server.limits().pgpRetrievalLimit().interval()).isEqualTo(Duration.ofNanos(250_000));
        assertThat(server.limits().uploadEndLimit().interval()).isEqualTo(Duration.ofMillis(1500));
        assertThat(server.limits().policyLimit().burst()).isEqualTo(2);
        assertThat(server.bulk().enroll().flushInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(server.gc().cleanupAfterExpiredInterval()).isEqualTo("30d");
        assertThat(server.staticPolicyTokens().policyTokens())
                .extracting(ServerConfig.PolicyToken::policyId)
                .containsExactly("policy-one", "policy-two");
        assertThat(server.pdkdf2().iterations()).isEqualTo(300000);
        assertThat(server.featureFlags().gracefulForceUnenroll().enabled()).isTrue();
        assertThat(config.input().cache().ttlApiKey()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.input().monitor().policyDebounceTime()).isEqualTo(Duration.ofMillis(250));

        assertThat(config.http().port()).isEqualTo(15066);
        assertThat(config.http().namedPipe().user()).isEqualTo("fleet-test");
        assertThat(config.logging().level()).isEqualTo("debug");
        assertThat(config.logging().files().interval()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void theAnnotatedReferenceConfigurationLoads() {
        var config = new FleetConfigLoader(Map.of("ELASTICSEARCH_SERVICE_TOKEN", "t0k3n-value")::get)
                .load(REFERENCE, Map.of());

        assertThat(config.output().elasticsearch().hosts()).containsExactly("http://localhost:9200");
        assertThat(config.server().port()).isEqualTo(8220);
        assertThat(config.server().timeouts().checkinLongPoll()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.http().enabled()).isFalse();
    }

    @Test
    void defaultsAreUpstreams() {
        FleetServerConfig config = TestConfigs.load("""
                output.elasticsearch.hosts: [localhost:9200]
                inputs:
                  - type: fleet-server
                """, Map.of());

        assertThat(config.output().elasticsearch().protocol()).isEqualTo("http");
        assertThat(config.output().elasticsearch().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.server().host()).isEqualTo("0.0.0.0");
        assertThat(config.server().port()).isEqualTo(8220);
        assertThat(config.server().timeouts().idle()).isEqualTo(Duration.ofSeconds(35));
        assertThat(config.server().timeouts().checkinJitter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.server().limits().maxHeaderByteSize()).isEqualTo(8192);
        assertThat(config.input().cache().ttlApiKey()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.http())
                .isEqualTo(new FleetServerConfig.Http(
                        false, "localhost", 5066, new FleetServerConfig.NamedPipe(null, null)));
        assertThat(config.logging().toFiles()).isTrue();
    }

    @Test
    void environmentValuesWithCommasBecomeLists() {
        FleetServerConfig config = TestConfigs.load("""
                output.elasticsearch.hosts: '${ES_HOSTS}'
                inputs: [{type: fleet-server}]
                """, Map.of("ES_HOSTS", "http://a:9200,http://b:9200"));

        assertThat(config.output().elasticsearch().hosts()).containsExactly("http://a:9200", "http://b:9200");
    }

    @Test
    void dashEOverridesWinOverTheFile() {
        Path file = TestConfigs.write("""
                output.elasticsearch.hosts: [localhost:9200]
                inputs: [{type: fleet-server, server: {port: 8220}}]
                """);

        FleetServerConfig config = loader.load(file, Map.of("inputs[0].server.port", "9999"));

        assertThat(config.server().port()).isEqualTo(9999);
    }

    @Test
    void aDashEOverrideOfOneListElementKeyKeepsTheFilesOtherKeysOfThatList() {
        Path file = TestConfigs.write("""
                output.elasticsearch.hosts: [localhost:9200]
                inputs:
                  - type: fleet-server
                    policy.id: from-file
                    server: {host: 127.0.0.2, port: 8220, timeouts: {checkin_long_poll: 42s}}
                """);

        FleetServerConfig config = loader.load(file, Map.of("inputs[0].server.port", "9999"));

        assertThat(config.server().port()).isEqualTo(9999);
        assertThat(config.server().host()).isEqualTo("127.0.0.2");
        assertThat(config.server().timeouts().checkinLongPoll()).hasSeconds(42);
        assertThat(config.input().policy().id()).isEqualTo("from-file");
    }

    @Test
    void anInvalidFileValueBesideADashEOverrideIsStillReportedAtItsLine() {
        Path file = TestConfigs.write("""
                output.elasticsearch.hosts: [localhost:9200]
                inputs:
                  - type: fleet-server
                    server: {port: 8220, timeouts: {checkin_long_poll: soon}}
                """);

        assertThatThrownBy(() -> loader.load(file, Map.of("inputs[0].server.port", "9999")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("checkin_long_poll")
                .hasMessageContaining(file + ":4");
    }

    @Test
    void environmentVariablesDoNotOverrideKeysTheFileDoesNotReference() {
        FleetServerConfig config = new FleetConfigLoader(
                        Map.of("HTTP_PORT", "7777", "INPUTS_0_SERVER_PORT", "9999")::get)
                .load(TestConfigs.write("output.elasticsearch.hosts: [x]\ninputs: [{type: fleet-server}]\n"), Map.of());

        assertThat(config.http().port()).isEqualTo(5066);
        assertThat(config.server().port()).isEqualTo(8220);
    }

    @Test
    void fleetServerLoggingKeysDoNotClashWithSpringBootsOwn() {
        FleetServerConfig config = TestConfigs.load("""
                output.elasticsearch.hosts: [x]
                inputs: [{type: fleet-server}]
                logging.level: debug
                """, Map.of());

        assertThat(config.logging().level()).isEqualTo("debug");
    }

    @Test
    void theServiceTokenIsReadFromServiceTokenPath(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "file-token-value\n");
        FleetServerConfig config = TestConfigs.load("""
                output.elasticsearch:
                  hosts: [x]
                  service_token_path: %s
                inputs: [{type: fleet-server}]
                """.formatted(token), Map.of());

        assertThat(config.output().elasticsearch().serviceToken().value()).isEqualTo("file-token-value");
        assertThat(config.output().elasticsearch().toString()).doesNotContain("file-token-value");
    }

    @Test
    void errorsNameTheKeyTheFileAndTheLine() {
        Path file = TestConfigs.write("""
                output.elasticsearch:
                  hosts: [x]
                inputs:
                  - type: fleet-server
                    server:
                      port: 70000
                """);

        assertThatThrownBy(() -> loader.load(file, Map.of())).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.key()).isEqualTo("inputs[0].server.port");
            assertThat(e.origin()).isEqualTo(file + ":6");
            assertThat(e.oneLine()).contains("70000 is not a valid port").doesNotContain("\n");
        });
    }

    @Test
    void secretValuesNeverAppearInErrors() {
        Path file = TestConfigs.write("""
                output.elasticsearch:
                  hosts: [x]
                  service_token: super-secret-token
                  timeout: super-secret-token
                inputs: [{type: fleet-server}]
                """);

        assertThatThrownBy(() -> loader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("output.elasticsearch.timeout");
        assertThatThrownBy(() -> TestConfigs.load("""
                        output.elasticsearch:
                          hosts: [x]
                          service_token: ${TOKEN:?the token is missing}
                        inputs: [{type: fleet-server}]
                        """, Map.of())).hasMessageContaining("the token is missing");
    }
}
