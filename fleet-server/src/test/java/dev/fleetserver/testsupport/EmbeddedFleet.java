package dev.fleetserver.testsupport;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionStore;
import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import dev.fleetserver.policy.PolicyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Kibana (or, later, the management API) does to a fleet kept in the embedded store, done through the storage
 * ports of an in-process server: policy revisions, enrollment tokens, actions. The counterpart of
 * {@link SimulatedKibana} for servers without Elasticsearch.
 */
public final class EmbeddedFleet {

    /** The output key every {@link #defaultPolicyData} policy carries itself, as an operator would write it. */
    public static final String PRESET_OUTPUT_KEY = "presetKeyId0000000000:presetSecret0000000000";

    private final RunningServer server;

    public EmbeddedFleet(RunningServer server) {
        this.server = server;
    }

    private <T> T port(Class<T> type) {
        return server.context().getBean(type);
    }

    /** Writes revision 1 of {@link #defaultPolicyData} and returns {@code policyId}. */
    public String createPolicy(String policyId) {
        return createPolicy(policyId, defaultPolicyData(policyId));
    }

    public String createPolicy(String policyId, ObjectNode data) {
        addRevision(policyId, 1, data);
        return policyId;
    }

    /** Appends the next revision: the latest data copied, {@code revision} incremented, then {@code edit} applied. */
    public long newRevision(String policyId, Consumer<ObjectNode> edit) {
        ObjectNode latest = port(PolicyStore.class).latestDocument(policyId).orElseThrow();
        long revision = latest.path("revision_idx").asLong() + 1;
        ObjectNode data = ((ObjectNode) latest.path("data")).deepCopy();
        data.put("revision", revision);
        edit.accept(data);
        addRevision(policyId, revision, data);
        return revision;
    }

    private void addRevision(String policyId, long revision, ObjectNode data) {
        ObjectNode document = Http.JSON.createObjectNode();
        document.put("@timestamp", SimulatedKibana.now());
        document.put("policy_id", policyId);
        document.put("revision_idx", revision);
        document.put("coordinator_idx", 0);
        document.putArray("namespaces").add("default");
        document.set("data", data);
        if (!port(PolicyStore.class).addRevision(document)) {
            throw new IllegalStateException("policy " + policyId + " already has revision " + revision);
        }
    }

    /**
     * A policy whose only output brings its own credentials ({@link #PRESET_OUTPUT_KEY}): on the embedded store the
     * server mints no key for it and delivers it as it is.
     */
    public static ObjectNode defaultPolicyData(String policyId) {
        ObjectNode data = Http.JSON.createObjectNode();
        data.put("id", policyId);
        data.put("revision", 1);
        ObjectNode output = data.putObject("outputs").putObject("default");
        output.put("type", "elasticsearch");
        output.putArray("hosts").add("https://elasticsearch.example.internal:9200");
        output.put("api_key", PRESET_OUTPUT_KEY);
        data.putObject("output_permissions")
                .putObject("default")
                .putObject("_elastic_agent_checks")
                .putArray("cluster")
                .add("monitor");
        ObjectNode agent = data.putObject("agent");
        agent.putObject("monitoring").put("enabled", false).put("use_output", "default");
        agent.putObject("protection").put("enabled", false);
        data.putObject("fleet").putArray("hosts").add("https://fleet-server.example.internal:8220");
        ObjectNode input = data.putArray("inputs").addObject();
        input.put("id", "logfile-" + UUID.randomUUID());
        input.put("type", "logfile");
        input.put("use_output", "default");
        input.putArray("streams").addObject().putArray("paths").add("/var/log/app/*.log");
        return data;
    }

    /**
     * An enrollment token as the management API makes one: a key in the server's own credential store and its
     * record; returns the token agents present, registered as a secret.
     */
    public String createEnrollmentToken(String policyId) {
        ObjectNode roles = Http.JSON.createObjectNode();
        roles.putObject("fleet-apikey-enroll").putArray("cluster");
        ObjectNode metadata = Http.JSON
                .createObjectNode()
                .put("managed_by", "fleet")
                .put("managed", true)
                .put("type", "enroll")
                .put("policy_id", policyId);
        CreatedApiKey key = port(ApiKeys.class).create("Default (" + UUID.randomUUID() + ")", roles, metadata);
        Secrets.register(key.secret());
        ObjectNode record = Http.JSON.createObjectNode();
        record.put("active", true);
        record.put("api_key_id", key.id());
        record.put("api_key", key.token());
        record.put("name", "Default");
        record.put("policy_id", policyId);
        record.put("created_at", SimulatedKibana.now());
        record.putArray("namespaces").add("default");
        record.put("hidden", false);
        port(EnrollmentKeyStore.class).create(UUID.randomUUID().toString(), record);
        return Secrets.register(key.token());
    }

    /** Stores an action for {@code agentIds} expiring in an hour; {@code edit} may change anything. */
    public ActionDocument createAction(String type, List<String> agentIds, Consumer<ObjectNode> edit) {
        ObjectNode document = Http.JSON.createObjectNode();
        document.put("action_id", UUID.randomUUID().toString());
        document.put("type", type);
        agentIds.forEach(document.putArray("agents")::add);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        document.put("@timestamp", now.toString());
        document.put("expiration", now.plus(Duration.ofHours(1)).toString());
        if (type.equals("SETTINGS")) {
            document.putObject("data").put("log_level", "debug");
        }
        document.putArray("namespaces").add("default");
        edit.accept(document);
        return port(ActionStore.class).create(document);
    }

    public ActionDocument createAction(String type, List<String> agentIds) {
        return createAction(type, agentIds, document -> {});
    }

    public Agent agent(String agentId) {
        return port(AgentStore.class).findById(agentId).orElseThrow();
    }

    public List<ObjectNode> actionResults(String actionId) {
        return port(ActionStore.class).resultsOf(List.of(actionId));
    }
}
