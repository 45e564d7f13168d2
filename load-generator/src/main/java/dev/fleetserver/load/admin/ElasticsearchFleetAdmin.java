package dev.fleetserver.load.admin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link FleetAdmin} over Elasticsearch's REST API as a superuser: the documents Kibana's Fleet plugin writes
 * (data-model §5.2 policies, §5.3 actions, §5.5 enrollment keys). Writes use {@code refresh=true}, so a change is
 * searchable when the call returns; the server's index monitors then pick it up.
 */
public final class ElasticsearchFleetAdmin implements FleetAdmin {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final String authorization;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param userColonPassword a superuser, e.g. what {@code LocalElasticsearch} prints */
    public ElasticsearchFleetAdmin(URI base, String userColonPassword) {
        this.base = base;
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void awaitReady(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        for (String index : List.of(".fleet-policies", ".fleet-actions", ".fleet-agents")) {
            while (request("GET", "/" + index + "/_settings", null).statusCode() != 200) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(index + " was not created in time: is the server running?");
                }
                sleep(200);
            }
        }
    }

    @Override
    public void ensurePolicy(String policyId, int extraInputs) {
        if (latestRevision(policyId) == null) {
            indexRevision(policyId, 1, policyData(policyId, extraInputs));
        }
    }

    @Override
    public long newRevision(String policyId, boolean permissionChange) {
        JsonNode latest = latestRevision(policyId);
        if (latest == null) {
            throw new IllegalStateException("no policy " + policyId);
        }
        long revision = latest.path("revision_idx").asLong() + 1;
        ObjectNode data = ((ObjectNode) latest.path("data")).deepCopy();
        data.put("revision", revision);
        ObjectNode input = (ObjectNode) data.path("inputs").path(0);
        ((ObjectNode) input.path("streams").path(0))
                .putArray("paths")
                .add("/var/log/generated/rev-" + revision + "/*.log");
        if (permissionChange) {
            // A new data stream to write: the output's role descriptors, and so its permissions hash, change.
            ObjectNode role = ((ObjectNode) data.path("output_permissions").path("default"))
                    .putObject("load-generator-rev-" + revision);
            ObjectNode indices = role.putArray("indices").addObject();
            indices.putArray("names").add("logs-generated.rev" + revision + "-default");
            indices.putArray("privileges").add("auto_configure").add("create_doc");
        }
        indexRevision(policyId, revision, data);
        return revision;
    }

    @Override
    public String createEnrollmentToken(String policyId) {
        String name = "Default (" + UUID.randomUUID() + ")";
        ObjectNode keyRequest = JSON.createObjectNode();
        keyRequest.put("name", name);
        ObjectNode role = keyRequest.putObject("role_descriptors").putObject("fleet-apikey-enroll");
        role.putArray("cluster");
        role.putArray("index");
        ObjectNode application = role.putArray("applications").addObject();
        application.put("application", "fleet");
        application.putArray("privileges").add("no-privileges");
        application.putArray("resources").add("*");
        keyRequest
                .putObject("metadata")
                .put("managed_by", "fleet")
                .put("managed", true)
                .put("type", "enroll")
                .put("policy_id", policyId);
        JsonNode key = json("POST", "/_security/api_key?refresh=true", keyRequest);
        String encoded = key.path("encoded").asString();
        ObjectNode record = JSON.createObjectNode();
        record.put("active", true);
        record.put("api_key_id", key.path("id").asString());
        record.put("api_key", encoded);
        record.put("name", name);
        record.put("policy_id", policyId);
        record.put("created_at", Instant.now().toString());
        record.putArray("namespaces").add("default");
        record.put("hidden", false);
        json("POST", "/.fleet-enrollment-api-keys/_doc?refresh=true", record);
        return encoded;
    }

    @Override
    public String createAction(String type, List<String> agentIds) {
        String actionId = UUID.randomUUID().toString();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ObjectNode action = JSON.createObjectNode();
        action.put("action_id", actionId);
        action.put("type", type);
        ArrayNode agents = action.putArray("agents");
        agentIds.forEach(agents::add);
        action.put("@timestamp", now.toString());
        action.put("expiration", now.plus(1, ChronoUnit.HOURS).toString());
        action.putArray("namespaces").add("default");
        switch (type) {
            case "INPUT_ACTION" -> {
                action.put("input_type", "osquery");
                action.put("timeout", 300);
                action.putObject("data").put("id", actionId).put("query", "select version from os_version;");
            }
            case "SETTINGS" -> action.putObject("data").put("log_level", "info");
            case "UPGRADE" -> action.putObject("data").put("version", "9.5.0");
            default -> {
                // UNENROLL and others carry no data
            }
        }
        json("POST", "/.fleet-actions/_doc?refresh=true", action);
        return actionId;
    }

    @Override
    public long actionResults(String actionId) {
        if (request("POST", "/.fleet-actions-results/_refresh", null).statusCode() == 404) {
            return 0;
        }
        ObjectNode query = JSON.createObjectNode();
        query.putObject("query").putObject("term").put("action_id", actionId);
        return json("POST", "/.fleet-actions-results/_count", query)
                .path("count")
                .asLong();
    }

    @Override
    public long duplicateEnrollments() {
        request("POST", "/.fleet-agents/_refresh", null);
        ObjectNode query = JSON.createObjectNode();
        query.put("size", 0);
        query.putObject("query").putObject("term").put("active", true);
        query.putObject("aggs")
                .putObject("ids")
                .putObject("terms")
                .put("field", "enrollment_id")
                .put("min_doc_count", 2)
                .put("size", 10_000);
        long duplicates = 0;
        for (JsonNode bucket : json("POST", "/.fleet-agents/_search", query)
                .path("aggregations")
                .path("ids")
                .path("buckets")) {
            duplicates += bucket.path("doc_count").asLong() - 1;
        }
        return duplicates;
    }

    @Override
    public long activeAgents() {
        request("POST", "/.fleet-agents/_refresh", null);
        ObjectNode query = JSON.createObjectNode();
        query.putObject("query").putObject("term").put("active", true);
        return json("POST", "/.fleet-agents/_count", query).path("count").asLong();
    }

    @Override
    public void close() {
        http.close();
    }

    private JsonNode latestRevision(String policyId) {
        ObjectNode query = JSON.createObjectNode();
        query.put("size", 1);
        query.putObject("query").putObject("term").put("policy_id", policyId);
        query.putArray("sort").addObject().put("revision_idx", "desc");
        JsonNode hits =
                json("POST", "/.fleet-policies/_search", query).path("hits").path("hits");
        return hits.isEmpty() ? null : hits.get(0).path("_source");
    }

    private void indexRevision(String policyId, long revision, ObjectNode data) {
        ObjectNode document = JSON.createObjectNode();
        document.put("@timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        document.put("policy_id", policyId);
        document.put("revision_idx", revision);
        document.put("coordinator_idx", 0);
        document.put("default_fleet_server", false);
        document.putArray("namespaces").add("default");
        document.set("data", data);
        json("POST", "/.fleet-policies/_doc?refresh=true", document);
    }

    /** An agent policy as Kibana renders it: one Elasticsearch output with its permissions, one log input. */
    private ObjectNode policyData(String policyId, int extraInputs) {
        ObjectNode data = JSON.createObjectNode();
        data.put("id", policyId);
        data.put("revision", 1);
        ObjectNode output = data.putObject("outputs").putObject("default");
        output.put("type", "elasticsearch");
        output.putArray("hosts").add(base.toString());
        ObjectNode permissions = data.putObject("output_permissions").putObject("default");
        permissions.putObject("_elastic_agent_checks").putArray("cluster").add("monitor");
        ObjectNode logs =
                permissions.putObject("load-generator-logs").putArray("indices").addObject();
        logs.putArray("names").add("logs-generic-default");
        logs.putArray("privileges").add("auto_configure").add("create_doc");
        ObjectNode agent = data.putObject("agent");
        agent.putObject("monitoring")
                .put("enabled", false)
                .put("use_output", "default")
                .put("logs", false)
                .put("metrics", false);
        agent.putObject("features");
        agent.putObject("protection").put("enabled", false);
        ObjectNode input = data.putArray("inputs").addObject();
        input.put("id", "logfile-logs-load-generator");
        input.put("name", "logs-1");
        input.put("revision", 1);
        input.put("type", "logfile");
        input.put("use_output", "default");
        input.putObject("meta").putObject("package").put("name", "log").put("version", "2.4.4");
        input.putObject("data_stream").put("namespace", "default");
        ObjectNode stream = input.putArray("streams").addObject();
        stream.put("id", "logfile-log.logs-load-generator");
        stream.putObject("data_stream").put("dataset", "generic").put("type", "logs");
        stream.putArray("paths").add("/var/log/generated/*.log");
        for (int i = 0; i < extraInputs; i++) {
            addMetricsInput(data, i);
        }
        return data;
    }

    /** A system-metrics-like input with five streams, and the index permissions its data streams need. */
    private static void addMetricsInput(ObjectNode data, int number) {
        String packagePolicy = "metrics-" + number;
        ObjectNode input = ((ArrayNode) data.path("inputs")).addObject();
        input.put("id", "system/metrics-" + packagePolicy);
        input.put("name", "system-" + number);
        input.put("revision", 1);
        input.put("type", "system/metrics");
        input.put("use_output", "default");
        input.putObject("meta").putObject("package").put("name", "system").put("version", "1.68.1");
        input.putObject("data_stream").put("namespace", "default");
        input.put("package_policy_id", packagePolicy);
        ObjectNode role = ((ObjectNode) data.path("output_permissions").path("default")).putObject(packagePolicy);
        ArrayNode indices = role.putArray("indices");
        ArrayNode streams = input.putArray("streams");
        for (String metricset : List.of("cpu", "memory", "network", "diskio", "filesystem")) {
            ObjectNode stream = streams.addObject();
            stream.put("id", "system/metrics-system." + metricset + "-" + packagePolicy);
            stream.putObject("data_stream")
                    .put("dataset", "system." + metricset)
                    .put("type", "metrics");
            stream.putArray("metricsets").add(metricset);
            stream.put("period", "10s");
            stream.putArray("processors")
                    .addObject()
                    .putObject("add_fields")
                    .put("target", "host.load")
                    .putObject("fields")
                    .put("generator", "fleet-server-load-generator")
                    .put("input", number);
            stream.putArray("tags").add("load-generator").add(metricset);
            ObjectNode index = indices.addObject();
            index.putArray("names").add("metrics-system." + metricset + "-default");
            index.putArray("privileges").add("auto_configure").add("create_doc");
        }
    }

    private JsonNode json(String method, String path, ObjectNode body) {
        HttpResponse<String> response = request(method, path, JSON.writeValueAsString(body));
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " -> " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(500, response.body().length())));
        }
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> request(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
