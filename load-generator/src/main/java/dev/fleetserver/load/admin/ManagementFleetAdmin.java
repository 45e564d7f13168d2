package dev.fleetserver.load.admin;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link FleetAdmin} over the server's management API (Kibana's Fleet API shapes, its own listener), authenticated
 * with an operator key as {@code Authorization: ApiKey base64(id:key)}. It works on either store; on the embedded
 * store it is the only admin there is. Policies carry their content in the body (there are no integrations); actions
 * are the ones Kibana's API creates (see {@link #benchmarkActionType}); acks are read back from {@code
 * /agents/action_status}.
 */
public final class ManagementFleetAdmin implements FleetAdmin {

    private static final String POLICIES = "/api/fleet/agent_policies";

    private final JsonHttp http;
    private final String outputHost;
    private final String outputApiKey;

    /**
     * @param base the management listener, e.g. {@code http://127.0.0.1:8222}
     * @param operatorKeyId an operator key's {@code id} with the {@code all} privilege
     * @param operatorKey its secret
     * @param outputHost the host agents' Elasticsearch output names (agents of the benchmark never write to it)
     * @param outputApiKey the output's own {@code id:key}, or null for keys the server creates per agent (only with
     *     Elasticsearch as the store)
     */
    public ManagementFleetAdmin(
            URI base, String operatorKeyId, String operatorKey, String outputHost, String outputApiKey) {
        this.http = new JsonHttp(
                base,
                "ApiKey "
                        + Base64.getEncoder()
                                .encodeToString((operatorKeyId + ":" + operatorKey).getBytes(StandardCharsets.UTF_8)));
        this.outputHost = outputHost;
        this.outputApiKey = outputApiKey;
    }

    @Override
    public void awaitReady(long timeoutMillis) {
        http.awaitOk(
                POLICIES + "?perPage=1",
                timeoutMillis,
                "the management API did not answer in time: is the server running, is the operator key right?");
    }

    @Override
    public void ensurePolicy(String policyId, int extraInputs) {
        if (http.request("GET", POLICIES + "/" + encoded(policyId), null).statusCode() == 200) {
            return;
        }
        ObjectNode body = PolicyContent.initial(outputHost, outputApiKey, extraInputs);
        body.put("id", policyId);
        body.put("name", "Load generator " + policyId);
        body.put("namespace", "default");
        body.putArray("monitoring_enabled");
        http.json("POST", POLICIES, body);
    }

    @Override
    public long newRevision(String policyId, boolean permissionChange) {
        String path = POLICIES + "/" + encoded(policyId);
        JsonNode current = http.json("GET", path, null).path("item");
        JsonNode full = http.json("GET", path + "/full", null).path("item");
        long revision = current.path("revision").asLong() + 1;
        ObjectNode content = JsonHttp.JSON.createObjectNode();
        content.set("inputs", full.path("inputs").deepCopy());
        content.set("output_permissions", full.path("output_permissions").deepCopy());
        PolicyContent.advance(content, revision, permissionChange);
        ObjectNode body = content;
        body.put("name", current.path("name").asString());
        body.put("namespace", current.path("namespace").asString("default"));
        long written =
                http.json("PUT", path, body).path("item").path("revision").asLong();
        if (written != revision) {
            throw new IllegalStateException("expected revision " + revision + " of " + policyId + ", got " + written);
        }
        return written;
    }

    @Override
    public String createEnrollmentToken(String policyId) {
        ObjectNode body = JsonHttp.JSON.createObjectNode();
        body.put("policy_id", policyId);
        body.put("name", "load-generator " + UUID.randomUUID());
        return http.json("POST", "/api/fleet/enrollment_api_keys", body)
                .path("item")
                .path("api_key")
                .asString();
    }

    @Override
    public String benchmarkActionType(int agents) {
        return agents == 1 ? "SETTINGS" : "REQUEST_DIAGNOSTICS";
    }

    @Override
    public String createAction(String type, List<String> agentIds) {
        if (type.equals("REQUEST_DIAGNOSTICS")) {
            ObjectNode body = JsonHttp.JSON.createObjectNode();
            agentIds.forEach(body.putArray("agents")::add);
            return http.json("POST", "/api/fleet/agents/bulk_request_diagnostics", body)
                    .path("actionId")
                    .asString();
        }
        if (agentIds.size() != 1) {
            throw new IllegalArgumentException(
                    "Kibana's API creates " + type + " actions for one agent at a time; " + agentIds.size() + " given");
        }
        ObjectNode body = JsonHttp.JSON.createObjectNode();
        ObjectNode action = body.putObject("action").put("type", type);
        if (type.equals("SETTINGS")) {
            action.putObject("data").put("log_level", "info");
        }
        return http.json("POST", "/api/fleet/agents/" + encoded(agentIds.getFirst()) + "/actions", body)
                .path("item")
                .path("id")
                .asString();
    }

    /** Acknowledged plus failed results of the action, from the newest actions' status. */
    @Override
    public long actionResults(String actionId) {
        for (JsonNode item : http.json("GET", "/api/fleet/agents/action_status?perPage=100", null)
                .path("items")) {
            if (item.path("actionId").asString().equals(actionId)) {
                return item.path("nbAgentsAck").asLong()
                        + item.path("nbAgentsFailed").asLong();
            }
        }
        return 0;
    }

    /** The API does not show enrollment ids: active agents beyond one per enrollment of this run. */
    @Override
    public long duplicateEnrollments(long activeBefore, long enrolled) {
        return Math.max(0, activeAgents() - activeBefore - enrolled);
    }

    @Override
    public long activeAgents() {
        return http.json("GET", "/api/fleet/agent_status", null)
                .path("results")
                .path("active")
                .asLong();
    }

    @Override
    public void close() {
        http.close();
    }

    private static String encoded(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
