package dev.fleetserver.checkin;

import dev.fleetserver.policy.DeliverablePolicy;
import dev.fleetserver.policy.PolicySecrets;
import dev.fleetserver.policy.PreparedPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Prepared policy revisions as the policy monitor makes them (secrets substituted, only delivered keys), with every
 * kind of output: keyed {@code elasticsearch} outputs, one that brings its own key, a {@code remote_elasticsearch}
 * whose service token is a secret, one with a token of its own cluster, logstash with a path-format secret, kafka
 * with an inline one, and OTel exporters writing to Elasticsearch outputs.
 */
final class SamplePolicies {

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The outputs of {@link #prepared} that take an agent key, in policy order. */
    static final List<String> KEYED = List.of("default", "remote", "own");

    private SamplePolicies() {}

    /** Revision {@code revision} of policy {@code policyId} with {@code inputs} inputs (about 1 KB each). */
    static PreparedPolicy prepared(String policyId, long revision, int inputs) {
        ObjectNode data = JSON.createObjectNode();
        data.put("id", policyId);
        data.put("revision", revision);
        ObjectNode outputs = data.putObject("outputs");
        outputs.putObject("default")
                .put("type", "elasticsearch")
                .put("preset", "balanced")
                .putArray("hosts")
                .add("https://es.example:9200");
        outputs.putObject("preset")
                .put("type", "elasticsearch")
                .put("api_key", "presetId:presetSecret")
                .putArray("hosts")
                .add("https://other.example:9200");
        outputs.putObject("remote")
                .put("type", "remote_elasticsearch")
                .put("service_token", "$co.elastic.secret{remote-token}")
                .putArray("hosts")
                .add("https://remote.example:9200");
        outputs.putObject("own")
                .put("type", "elasticsearch")
                .put("service_token", "AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2Vu")
                .putArray("hosts")
                .add("https://own.example:9200");
        ObjectNode logstash = outputs.putObject("ls").put("type", "logstash");
        logstash.putArray("hosts").add("ls.example:5044");
        logstash.putObject("secrets").putObject("ssl").putObject("key").put("id", "ls-key");
        outputs.putObject("k")
                .put("type", "kafka")
                .put("password", "$co.elastic.secret{kafka-password}")
                .putArray("hosts")
                .add("kafka.example:9092");
        ObjectNode permissions = data.putObject("output_permissions");
        for (String output : List.of("default", "remote", "own")) {
            permissions
                    .putObject(output)
                    .putObject("_elastic_agent_checks")
                    .putArray("cluster")
                    .add("monitor");
        }
        for (int i = 0; i < inputs; i++) {
            ObjectNode input = data.withArray("inputs").addObject();
            input.put("id", "logfile-" + i);
            input.put("type", "logfile");
            input.put("use_output", i % 2 == 0 ? "default" : "remote");
            input.put("revision", revision);
            input.putObject("meta").putObject("package").put("name", "system").put("version", "1.60.0");
            input.putObject("data_stream").put("namespace", "default");
            ObjectNode stream = input.putArray("streams").addObject();
            stream.put("id", "logfile-system.syslog-" + i);
            stream.putObject("data_stream").put("type", "logs").put("dataset", "system.syslog");
            stream.putArray("paths")
                    .add("/var/log/messages*")
                    .add("/var/log/syslog*")
                    .add("/var/log/system*");
            stream.put("exclude_files", "\\.gz$");
            stream.put("multiline.pattern", "^\\s");
            stream.put("multiline.match", "after");
            stream.put("password", "$co.elastic.secret{stream-password}");
            stream.putArray("tags").add("système").add("<b>&amp;</b>").add("日本語");
            stream.putArray("processors").addObject().putObject("add_locale").put("format", "offset");
            stream.put("ignore_older", "72h");
            stream.put("harvester_limit", 100 + i);
            stream.put("sample_rate", 0.25);
        }
        data.putObject("agent")
                .putObject("monitoring")
                .put("enabled", true)
                .put("use_output", "default")
                .put("namespace", "default");
        data.putObject("fleet").putArray("hosts").add("https://fleet.example:8220");
        data.putObject("signed").put("data", "eyJpZCI6InBvbGljeSJ9").put("signature", "MEUCIQ==");
        ObjectNode exporters = data.putObject("exporters");
        exporters.putObject("elasticsearch/default").putArray("endpoints").add("https://es.example:9200");
        exporters.putNull("elasticsearch/preset");
        data.putObject("service")
                .putObject("pipelines")
                .putObject("logs")
                .putArray("exporters")
                .add("elasticsearch/default");
        Map<String, String> secretValues = new LinkedHashMap<>();
        secretValues.put("remote-token", "remote-service-token-value");
        secretValues.put("ls-key", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
        secretValues.put("kafka-password", "kafka \"pass\" \\ word");
        secretValues.put("stream-password", "p@ss\u0001word");
        List<String> secretPaths = PolicySecrets.substitute(data, secretValues);
        ObjectNode deliverable = DeliverablePolicy.of(data, secretPaths);
        Map<String, PreparedPolicy.OutputPermissions> outputPermissions = new LinkedHashMap<>();
        permissions
                .properties()
                .forEach(entry -> outputPermissions.put(
                        entry.getKey(),
                        new PreparedPolicy.OutputPermissions((ObjectNode) entry.getValue(), "hash-" + entry.getKey())));
        return new PreparedPolicy(policyId, revision, "2026-11-25T12:00:00.000Z", deliverable, outputPermissions);
    }
}
