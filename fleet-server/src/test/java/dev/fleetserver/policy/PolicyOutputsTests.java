package dev.fleetserver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class PolicyOutputsTests {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static ObjectNode json(String singleQuoted) {
        return (ObjectNode) MAPPER.readTree(singleQuoted.replace('\'', '"'));
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void elasticsearchOutputsNeedKeysLogstashAndKafkaDoNot() {
        ObjectNode policy = json("""
                {'outputs': {'ls': {'type': 'logstash'}, 'default': {'type': 'elasticsearch'},
                             'k': {'type': 'kafka'}, 'remote': {'type': 'remote_elasticsearch'}}}
                """);

        assertThat(PolicyOutputs.apiKeyOutputs(policy)).containsExactly("default", "remote");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {}                                                 | output section not found
            {'outputs': {}}                                    | output section not found
            {'outputs': []}                                    | output section not found
            {'outputs': {'o': {'hosts': []}}}                  | output "o" has no type
            {'outputs': {'o': {'type': 1}}}                    | output "o" has no type
            {'outputs': {'o': 'elasticsearch'}}                | output "o" has no type
            {'outputs': {'o': {'type': 'splunk'}}}             | unknown output type "splunk"
            {'outputs': {'o': {'type': 'Elasticsearch'}}}      | unknown output type "Elasticsearch"
            """)
    void refusesPoliciesItCannotRender(String policy, String message) {
        assertThatThrownBy(() -> PolicyOutputs.apiKeyOutputs(json(policy)))
                .isInstanceOf(PolicyRenderException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> PolicyOutputs.inject(json(policy), Map.of()))
                .isInstanceOf(PolicyRenderException.class)
                .hasMessageContaining(message);
    }

    @Test
    void injectsThePlainKeyIntoElasticsearchOutputs() {
        // agent-api §21 item 66: "<id>:<secret>", not base64.
        ObjectNode policy = json("""
                {'outputs': {'default': {'type': 'elasticsearch', 'hosts': ['https://es:9200']},
                             'ls': {'type': 'logstash', 'hosts': ['ls:5044']}}}
                """);

        PolicyOutputs.inject(policy, Map.of("default", "qA1b2C3dE4:6fYpQ0s9TzKc"));

        assertThat(policy).isEqualTo(json("""
                        {'outputs': {'default': {'type': 'elasticsearch', 'hosts': ['https://es:9200'],
                                                 'api_key': 'qA1b2C3dE4:6fYpQ0s9TzKc'},
                                     'ls': {'type': 'logstash', 'hosts': ['ls:5044']}}}
                        """));
    }

    @Test
    void remoteOutputsBecomeElasticsearchWithoutTheirServiceToken() {
        // agent-api §21 item 68.
        ObjectNode policy = json("""
                {'outputs': {'remote': {'type': 'remote_elasticsearch', 'hosts': ['https://r:9200'],
                                        'service_token': 'AAEAAWVsYXN0aWM'}},
                 'secret_paths': ['inputs.0.password', 'outputs.remote.service_token']}
                """);

        PolicyOutputs.inject(policy, Map.of("remote", "rid:rkey"));

        assertThat(policy).isEqualTo(json("""
                        {'outputs': {'remote': {'type': 'elasticsearch', 'hosts': ['https://r:9200'],
                                                'api_key': 'rid:rkey'}},
                         'secret_paths': ['inputs.0.password']}
                        """));
    }

    @Test
    void anElasticsearchOutputKeyedInItsOwnClusterLosesItsServiceTokenOthersKeepTheirs() {
        // Without a fleet Elasticsearch (embedded store) such an output is handled like a remote one.
        ObjectNode policy = json("""
                {'outputs': {'own': {'type': 'elasticsearch', 'hosts': ['https://o:9200'], 'service_token': 'tok'},
                             'preset': {'type': 'elasticsearch', 'api_key': 'pid:pkey'}},
                 'secret_paths': ['outputs.own.service_token']}
                """);

        PolicyOutputs.inject(policy, Map.of("own", "oid:okey"), java.util.Set.of("own"));

        assertThat(policy).isEqualTo(json("""
                        {'outputs': {'own': {'type': 'elasticsearch', 'hosts': ['https://o:9200'], 'api_key': 'oid:okey'},
                                     'preset': {'type': 'elasticsearch', 'api_key': 'pid:pkey'}}}
                        """));
    }

    @Test
    void aRemoteOutputWithoutKeyIsStillRewrittenAndAnEmptiedPathListDropped() {
        ObjectNode policy = json("""
                {'outputs': {'remote': {'type': 'remote_elasticsearch', 'service_token': 'tok'}},
                 'secret_paths': ['outputs.remote.service_token']}
                """);

        PolicyOutputs.inject(policy, Map.of());

        assertThat(policy).isEqualTo(json("{'outputs': {'remote': {'type': 'elasticsearch'}}}"));
    }

    @Test
    void aKeyForAnOutputThatTakesNoneIsAProgrammingError() {
        ObjectNode policy = json("{'outputs': {'ls': {'type': 'logstash'}}}");

        assertThatThrownBy(() -> PolicyOutputs.inject(policy, Map.of("ls", "id:key")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyOutputs.inject(policy, Map.of("missing", "id:key")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otelExportersGetTheBase64KeyOfTheirOutput() {
        ObjectNode policy = json("""
                {'outputs': {'default': {'type': 'elasticsearch'}, 'remote': {'type': 'remote_elasticsearch'}},
                 'exporters': {'elasticsearch/default': {'endpoints': ['https://es:9200']},
                               'elasticsearch/remote': null}}
                """);

        PolicyOutputs.inject(policy, Map.of("default", "id1:key1", "remote", "id2:key2"));

        assertThat(policy.get("exporters")).isEqualTo(json("""
                        {'elasticsearch/default': {'endpoints': ['https://es:9200'], 'api_key': '%s'},
                         'elasticsearch/remote': {'api_key': '%s'}}
                        """.formatted(b64("id1:key1"), b64("id2:key2"))));
        assertThat(policy.at("/outputs/default/api_key").stringValue()).isEqualTo("id1:key1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            elasticsearch                | not named <exporter type>/<output name>
            elasticsearch/nowhere        | unknown output "nowhere"
            otlp/default                 | unsupported type "otlp"
            elasticsearch/ls             | output "ls" which is not elasticsearch
            elasticsearch/remote         | output "remote" which has no API key
            """)
    void refusesExportersWithoutAUsableOutput(String exporterId, String message) {
        ObjectNode policy = json("""
                {'outputs': {'default': {'type': 'elasticsearch'}, 'ls': {'type': 'logstash'},
                             'remote': {'type': 'remote_elasticsearch'}},
                 'exporters': {'%s': {}}}
                """.formatted(exporterId));

        assertThatThrownBy(() -> PolicyOutputs.inject(policy, Map.of("default", "id:key")))
                .isInstanceOf(PolicyRenderException.class)
                .hasMessageContaining(message);
    }

    @Test
    void refusesAnExporterWhoseConfigurationIsNotAnObject() {
        ObjectNode policy = json("""
                {'outputs': {'default': {'type': 'elasticsearch'}}, 'exporters': {'elasticsearch/default': 'x'}}
                """);

        assertThatThrownBy(() -> PolicyOutputs.inject(policy, Map.of("default", "id:key")))
                .isInstanceOf(PolicyRenderException.class)
                .hasMessageContaining("is not an object");
    }

    @Test
    void aPolicyWithoutExportersNeedsNone() {
        ObjectNode policy = json("{'outputs': {'k': {'type': 'kafka'}}, 'exporters': {}}");

        PolicyOutputs.inject(policy, Map.of());

        assertThat(policy).isEqualTo(json("{'outputs': {'k': {'type': 'kafka'}}, 'exporters': {}}"));
    }
}
