package dev.fleetserver.load.admin;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

    private static final JsonMapper JSON = JsonHttp.JSON;

    private final URI base;
    private final JsonHttp http;

    /** @param userColonPassword a superuser, e.g. what {@code LocalElasticsearch} prints */
    public ElasticsearchFleetAdmin(URI base, String userColonPassword) {
        this.base = base;
        this.http = new JsonHttp(
                base,
                "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void awaitReady(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        for (String index : List.of(".fleet-policies", ".fleet-actions", ".fleet-agents")) {
            http.awaitOk(
                    "/" + index + "/_settings",
                    Math.max(0, deadline - System.currentTimeMillis()),
                    index + " was not created in time: is the server running?");
        }
    }

    @Override
    public void ensurePolicy(String policyId, int extraInputs) {
        if (latestRevision(policyId) == null) {
            ObjectNode data = PolicyContent.initial(base.toString(), null, extraInputs);
            data.put("id", policyId);
            data.put("revision", 1);
            indexRevision(policyId, 1, data);
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
        PolicyContent.advance(data, revision, permissionChange);
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
    public String benchmarkActionType(int agents) {
        return "INPUT_ACTION";
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
    public long duplicateEnrollments(long activeBefore, long enrolled) {
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

    private JsonNode json(String method, String path, ObjectNode body) {
        return http.json(method, path, body);
    }

    private HttpResponse<String> request(String method, String path, String body) {
        return http.request(method, path, body);
    }
}
