package dev.fleetserver.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class PolicySecretsTests {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Map<String, String> VALUES = Map.of("s1", "one", "s2", "two", "s3", "three");

    /** JSON written with single quotes, which keeps the tests readable. */
    private static ObjectNode json(String singleQuoted) {
        return (ObjectNode) MAPPER.readTree(singleQuoted.replace('\'', '"'));
    }

    private static String ref(String id) {
        return "$co.elastic.secret{" + id + "}";
    }

    @Test
    void listsReferencedIdsOnceInDocumentOrder() {
        ObjectNode policy = json("""
                {'secret_references': [{'id': 'b'}, {'id': 'a'}, {'id': 'b'}, {'nope': 1}, {'id': 7}, 'c']}
                """);

        assertThat(PolicySecrets.referencedIds(policy)).containsExactly("b", "a");
        assertThat(PolicySecrets.referencedIds(json("{}"))).isEmpty();
    }

    @Test
    void resolvesAnInputStreamSecretAndRecordsItsPath() {
        // agent-api §21 item 69.
        ObjectNode policy = json("""
                {'inputs': [{'id': 'logfile-1', 'streams': [{'id': 's', 'password': '%s'}]}],
                 'secret_references': [{'id': 's1'}]}
                """.formatted(ref("s1")));

        List<String> paths = PolicySecrets.substitute(policy, VALUES);

        assertThat(paths).containsExactly("inputs.0.streams.0.password");
        assertThat(policy.at("/inputs/0/streams/0/password").stringValue()).isEqualTo("one");
        assertThat(policy.has("secret_references")).isFalse();
    }

    @Test
    void pathsUseArrayIndexesAtEveryLevel() {
        ObjectNode policy = json("""
                {'inputs': [
                  {'id': 'a'},
                  {'id': 'b', 'token': '%s', 'streams': [
                     {'id': 'x'},
                     {'id': 'y', 'password': '%s', 'hosts': ['h', '%s']}
                  ]}
                ]}
                """.formatted(ref("s1"), ref("s2"), ref("s3")));

        List<String> paths = PolicySecrets.substitute(policy, VALUES);

        assertThat(paths)
                .containsExactly("inputs.1.streams.1.hosts.1", "inputs.1.streams.1.password", "inputs.1.token");
        assertThat(policy.at("/inputs/1/streams/1/hosts").toString()).isEqualTo("[\"h\",\"three\"]");
    }

    @Test
    void replacesSeveralInlineReferencesInsideOneLongerString() {
        ObjectNode policy = json("""
                {'inputs': [{'url': 'https://%s:%s@host/%s?x=%s'}]}
                """.formatted(ref("s1"), ref("s2"), ref("s1"), ref("unknown")));

        List<String> paths = PolicySecrets.substitute(policy, VALUES);

        assertThat(policy.at("/inputs/0/url").stringValue()).isEqualTo("https://one:two@host/one?x=" + ref("unknown"));
        assertThat(paths).containsExactly("inputs.0.url");
    }

    @Test
    void leavesUnknownIdsAloneAndDoesNotRecordThem() {
        ObjectNode policy = json("""
                {'inputs': [{'password': '%s'}],
                 'outputs': {'default': {'type': 'kafka', 'secrets': {'password': {'id': 'gone'}}}}}
                """.formatted(ref("gone")));

        List<String> paths = PolicySecrets.substitute(policy, VALUES);

        assertThat(paths).isEmpty();
        assertThat(policy.at("/inputs/0/password").stringValue()).isEqualTo(ref("gone"));
        assertThat(policy.at("/outputs/default/secrets/password/id").stringValue())
                .isEqualTo("gone");
        assertThat(policy.at("/outputs/default").has("password")).isFalse();
    }

    @Test
    void insertsValuesLiterallyWithoutExpandingThem() {
        Map<String, String> values = Map.of("s1", "p$1\\x" + ref("s2"), "s2", "two");
        ObjectNode policy = json("{'fleet': {'token': 'a %s b'}}".formatted(ref("s1")));

        PolicySecrets.substitute(policy, values);

        assertThat(policy.at("/fleet/token").stringValue()).isEqualTo("a p$1\\x" + ref("s2") + " b");
    }

    @Test
    void writesPathFormSecretsIntoTheOutputAndDropsTheSecretsMember() {
        ObjectNode policy = json("""
                {'outputs': {'default': {
                   'type': 'elasticsearch',
                   'ssl': {'certificate': 'CERT'},
                   'secrets': {'ssl': {'key': {'id': 's1'}}, 'password': {'id': 's2'}}
                }}}
                """);

        List<String> paths = PolicySecrets.substitute(policy, VALUES);

        assertThat(paths).containsExactly("outputs.default.password", "outputs.default.ssl.key");
        assertThat(policy.at("/outputs/default")).isEqualTo(json("""
                        {'type': 'elasticsearch', 'ssl': {'certificate': 'CERT', 'key': 'one'}, 'password': 'two'}
                        """));
    }

    @Test
    void createsIntermediateObjectsForDeepPaths() {
        ObjectNode policy = json("""
                {'outputs': {'k': {'type': 'kafka', 'ssl': 'not-an-object',
                   'secrets': {'a': {'b': {'c': {'id': 's1'}}}, 'ssl': {'key': {'id': 's2'}}}}}}
                """);

        List<String> paths = PolicySecrets.substitute(policy, VALUES);

        assertThat(paths).containsExactly("outputs.k.a.b.c", "outputs.k.ssl.key");
        assertThat(policy.at("/outputs/k/a/b/c").stringValue()).isEqualTo("one");
        assertThat(policy.at("/outputs/k/ssl")).isEqualTo(json("{'key': 'two'}"));
    }

    @Test
    void keepsOnlyTheUnresolvedPartOfASecretsMember() {
        ObjectNode policy = json("""
                {'outputs': {'o': {'type': 'kafka',
                   'secrets': {'ssl': {'key': {'id': 's1'}, 'passphrase': {'id': 'gone'}}, 'password': {'id': 's2'}}}}}
                """);

        List<String> paths = PolicySecrets.substitute(policy, VALUES);

        assertThat(paths).containsExactly("outputs.o.password", "outputs.o.ssl.key");
        assertThat(policy.at("/outputs/o/secrets")).isEqualTo(json("{'ssl': {'passphrase': {'id': 'gone'}}}"));
    }

    @Test
    void resolvesPathFormInNestedInputObjectsAfterInlineReferences() {
        ObjectNode policy = json("""
                {'inputs': [{'id': 'i', 'streams': [
                   {'id': 'a'},
                   {'id': 'b', 'password': '%s', 'secrets': {'password': {'id': 's2'}, 'auth': {'token': {'id': 's3'}}}}
                ]}]}
                """.formatted(ref("s1")));

        List<String> paths = PolicySecrets.substitute(policy, VALUES);

        // Both notations wrote inputs.0.streams.1.password; it is listed once and the path form wins.
        assertThat(paths).containsExactly("inputs.0.streams.1.auth.token", "inputs.0.streams.1.password");
        assertThat(policy.at("/inputs/0/streams/1"))
                .isEqualTo(json("{'id': 'b', 'password': 'two', 'auth': {'token': 'three'}}"));
    }

    @Test
    void coversAgentDownloadFleetAndOtelComponents() {
        ObjectNode policy = json("""
                {'agent': {'download': {'sourceURI': 'https://x', 'secrets': {'ssl': {'key': {'id': 's1'}}}},
                           'monitoring': {'token': '%1$s'}},
                 'fleet': {'hosts': ['https://fleet'], 'proxy_headers': {'Authorization': 'Bearer %1$s'}},
                 'receivers': {'otlp': {'auth': {'token': '%2$s'}}},
                 'exporters': {'elasticsearch/default': {'headers': {'x': '%3$s'}}},
                 'processors': {'batch': {'secrets': {'key': {'id': 's1'}}}},
                 'extensions': {'basicauth': {'password': '%2$s'}},
                 'connectors': {'forward': {'token': '%3$s'}},
                 'service': {'token': '%1$s'},
                 'output_permissions': {'default': {'r': {'token': '%1$s'}}},
                 'signed': {'data': '%1$s'}}
                """.formatted(ref("s1"), ref("s2"), ref("s3")));

        List<String> paths = PolicySecrets.substitute(policy, VALUES);

        assertThat(paths)
                .containsExactly(
                        "agent.download.ssl.key",
                        "connectors.forward.token",
                        "exporters.elasticsearch/default.headers.x",
                        "extensions.basicauth.password",
                        "fleet.proxy_headers.Authorization",
                        "processors.batch.key",
                        "receivers.otlp.auth.token");
        assertThat(policy.at("/fleet/proxy_headers/Authorization").stringValue())
                .isEqualTo("Bearer one");
        assertThat(policy.at("/agent/download/ssl/key").stringValue()).isEqualTo("one");
        // Sections the notations do not cover are delivered as written.
        assertThat(policy.at("/agent/monitoring/token").stringValue()).isEqualTo(ref("s1"));
        assertThat(policy.at("/service/token").stringValue()).isEqualTo(ref("s1"));
        assertThat(policy.at("/output_permissions/default/r/token").stringValue())
                .isEqualTo(ref("s1"));
        assertThat(policy.at("/signed/data").stringValue()).isEqualTo(ref("s1"));
    }

    @Test
    void resolvesInlineReferencesInOutputs() {
        ObjectNode policy = json("""
                {'outputs': {'ls': {'type': 'logstash', 'ssl': {'key': '%s'}, 'hosts': ['%s']}}}
                """.formatted(ref("s1"), ref("s2")));

        assertThat(PolicySecrets.substitute(policy, VALUES))
                .containsExactly("outputs.ls.hosts.0", "outputs.ls.ssl.key");
    }

    @Test
    void aSectionMemberNamedSecretsIsAComponentNotReferences() {
        ObjectNode policy = json("{'outputs': {'secrets': {'type': 'kafka', 'password': '%s'}}}".formatted(ref("s1")));

        assertThat(PolicySecrets.substitute(policy, VALUES)).containsExactly("outputs.secrets.password");
        assertThat(policy.at("/outputs/secrets/type").stringValue()).isEqualTo("kafka");
    }

    @Test
    void aPolicyWithoutSecretsIsUnchangedApartFromItsReferenceList() {
        ObjectNode policy = json("""
                {'id': 'p', 'outputs': {'default': {'type': 'elasticsearch'}}, 'inputs': [], 'secret_references': []}
                """);

        assertThat(PolicySecrets.substitute(policy, Map.of())).isEmpty();
        assertThat(policy)
                .isEqualTo(json("{'id': 'p', 'outputs': {'default': {'type': 'elasticsearch'}}, 'inputs': []}"));
    }

    @Test
    void actionsGetInlineReferencesReplacedThroughoutData() {
        ObjectNode action = json("""
                {'action_id': 'a', 'type': 'INPUT_ACTION', 'input_type': '%1$s',
                 'data': {'query': 'select %1$s', 'nested': [{'k': '%2$s'}, '%3$s'],
                          'secrets': {'password': {'id': 's1'}}},
                 'secret_references': [{'id': 's1'}, {'id': 's2'}]}
                """.formatted(ref("s1"), ref("s2"), ref("unknown")));

        PolicySecrets.substituteAction(action, VALUES);

        assertThat(action).isEqualTo(json("""
                        {'action_id': 'a', 'type': 'INPUT_ACTION', 'input_type': '%s',
                         'data': {'query': 'select one', 'nested': [{'k': 'two'}, '%s'],
                                  'secrets': {'password': {'id': 's1'}}}}
                        """.formatted(ref("s1"), ref("unknown"))));
    }

    @Test
    void actionDataMayBeAStringOrAbsent() {
        ObjectNode stringData = json("{'data': 'x %s', 'secret_references': [{'id': 's1'}]}".formatted(ref("s1")));
        ObjectNode noData = json("{'type': 'UNENROLL', 'secret_references': []}");

        PolicySecrets.substituteAction(stringData, VALUES);
        PolicySecrets.substituteAction(noData, VALUES);

        assertThat(stringData).isEqualTo(json("{'data': 'x one'}"));
        assertThat(noData).isEqualTo(json("{'type': 'UNENROLL'}"));
    }

    @Test
    void pathsAreSortedInGoStringOrder() {
        ObjectNode policy = json("""
                {'fleet': {'b': '%1$s', 'B': '%1$s', 'a_': '%1$s', 'a': {'z': '%1$s'}}}
                """.formatted(ref("s1")));

        List<String> paths = PolicySecrets.substitute(policy, VALUES);

        assertThat(paths).containsExactly("fleet.B", "fleet.a.z", "fleet.a_", "fleet.b");
    }
}
