package dev.fleetserver.testsupport;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionStore;
import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.auth.ApiKey;
import dev.fleetserver.auth.ApiKeyException;
import dev.fleetserver.auth.ApiKeyVerifier;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import dev.fleetserver.policy.PolicyStore;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Kibana (or the management API) does to a fleet kept in the embedded store, done through the storage ports of
 * an in-process server, the same writes the management API makes: policy revisions, enrollment tokens, actions,
 * agent edits. The counterpart of {@link SimulatedKibana} for servers without Elasticsearch.
 *
 * <p>Policies send agents' data to an output cluster when one is given (the test node, its output carrying the
 * node's service token, so the server makes each agent's output key there, as it does in production); otherwise to
 * an output with preset credentials ({@link #PRESET_OUTPUT_KEY}), for tests without Elasticsearch.
 */
public final class EmbeddedFleet implements KibanaSide {

    /** The output key every {@link #presetOutputPolicyData} policy carries itself, as an operator would write it. */
    public static final String PRESET_OUTPUT_KEY = "presetKeyId0000000000:presetSecret0000000000";

    private final RunningServer server;
    private final @Nullable SimulatedKibana outputCluster;

    /** Policies with a preset output key: no Elasticsearch anywhere. */
    public EmbeddedFleet(RunningServer server) {
        this(server, null);
    }

    /** Policies whose output is {@code outputCluster}'s node, with its service token. */
    public EmbeddedFleet(RunningServer server, @Nullable SimulatedKibana outputCluster) {
        this.server = server;
        this.outputCluster = outputCluster;
    }

    private <T> T port(Class<T> type) {
        return server.context().getBean(type);
    }

    // ---------------------------------------------------------------- policies

    public String createPolicy(String policyId, ObjectNode data) {
        addPolicyRevision(policyId, 1, data);
        return policyId;
    }

    @Override
    public void addPolicyRevision(String policyId, long revision, ObjectNode data) {
        if (!port(PolicyStore.class).addRevision(SimulatedKibana.policyDocument(policyId, revision, data))) {
            throw new IllegalStateException("policy " + policyId + " already has revision " + revision);
        }
    }

    @Override
    public ObjectNode latestPolicyDocument(String policyId) {
        return port(PolicyStore.class)
                .latestDocument(policyId)
                .orElseThrow(() -> new IllegalStateException("no policy " + policyId));
    }

    /**
     * With an output cluster, Kibana's policy for it ({@link SimulatedKibana#defaultPolicyData}) whose output carries
     * the node's service token; otherwise {@link #presetOutputPolicyData}.
     */
    @Override
    public ObjectNode defaultPolicyData(String policyId) {
        if (outputCluster == null) {
            return presetOutputPolicyData(policyId);
        }
        ObjectNode data = outputCluster.defaultPolicyData(policyId);
        data.withObjectProperty("outputs")
                .withObjectProperty("default")
                .put("service_token", outputCluster.admin().node().serviceToken());
        return data;
    }

    /**
     * A policy whose only output brings its own credentials ({@link #PRESET_OUTPUT_KEY}): on the embedded store the
     * server mints no key for it and delivers it as it is.
     */
    public static ObjectNode presetOutputPolicyData(String policyId) {
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

    // ---------------------------------------------------------------- enrollment tokens

    /**
     * An enrollment token as the management API makes one: a key in the server's own credential store and its
     * record; returns the token agents present, registered as a secret.
     */
    @Override
    public String createEnrollmentToken(String policyId) {
        ObjectNode roles = Http.JSON.createObjectNode();
        roles.putObject("fleet-apikey-enroll").putArray("cluster");
        ObjectNode metadata = Http.JSON
                .createObjectNode()
                .put("managed_by", "fleet")
                .put("managed", true)
                .put("type", "enroll")
                .put("policy_id", policyId);
        String name = "Default (" + UUID.randomUUID() + ")";
        CreatedApiKey key = port(ApiKeys.class).create(name, roles, metadata);
        Secrets.register(key.secret());
        port(EnrollmentKeyStore.class)
                .create(
                        UUID.randomUUID().toString(),
                        SimulatedKibana.enrollmentKeyRecord(key.id(), key.token(), name, policyId));
        return Secrets.register(key.token());
    }

    @Override
    public void deactivateEnrollmentToken(String token) {
        String keyId = KibanaSide.apiKeyId(token);
        EnrollmentKeyStore keys = port(EnrollmentKeyStore.class);
        List<ObjectNode> records = keys.all().stream()
                .filter(record -> keyId.equals(record.path("api_key_id").asString(null)))
                .toList();
        if (records.isEmpty()) {
            throw new IllegalStateException("no enrollment key record for API key " + keyId);
        }
        for (ObjectNode record : records) {
            keys.update(
                    record.path("id").asString(),
                    Http.JSON.createObjectNode().put("active", false).put("updated_at", SimulatedKibana.now()));
        }
    }

    @Override
    public void revokeEnrollmentToken(String token) {
        port(ApiKeys.class).invalidate(Set.of(KibanaSide.apiKeyId(token)));
        deactivateEnrollmentToken(token);
    }

    // ---------------------------------------------------------------- actions

    @Override
    public IndexedAction createAction(String type, List<String> agentIds, Consumer<ObjectNode> edit) {
        return stored(port(ActionStore.class).create(SimulatedKibana.actionDocument(type, agentIds, edit)));
    }

    @Override
    public List<IndexedAction> createActions(List<ObjectNode> documents) {
        ActionStore actions = port(ActionStore.class);
        return documents.stream()
                .map(document -> stored(actions.create(document)))
                .toList();
    }

    private static IndexedAction stored(ActionDocument action) {
        return new IndexedAction(action.documentId(), action.actionId(), action.seqNo(), action.source());
    }

    @Override
    public List<ObjectNode> actionResults(String actionId) {
        return port(ActionStore.class).resultsOf(List.of(actionId));
    }

    // ---------------------------------------------------------------- agents

    public Agent agent(String agentId) {
        return port(AgentStore.class).findById(agentId).orElseThrow();
    }

    @Override
    public ObjectNode agentDocument(String agentId) {
        return port(AgentStore.class)
                .findById(agentId)
                .map(agent -> agent.source().deepCopy())
                .orElse(null);
    }

    @Override
    public List<String> agentIdsWhere(String field, String value) {
        return port(AgentStore.class).idsWhere(field, value);
    }

    @Override
    public void updateAgent(String agentId, ObjectNode partial) {
        if (!port(AgentStore.class).update(agentId, partial)) {
            throw new IllegalStateException("no agent " + agentId);
        }
    }

    // ---------------------------------------------------------------- API keys and secrets

    /** A key the embedded store knows is checked there; any other (an output key) in the output cluster. */
    @Override
    public boolean authenticates(String idColonKeyOrEncodedToken) {
        String plain = idColonKeyOrEncodedToken.contains(":")
                ? idColonKeyOrEncodedToken
                : new String(Base64.getDecoder().decode(idColonKeyOrEncodedToken), StandardCharsets.UTF_8);
        int colon = plain.indexOf(':');
        String id = plain.substring(0, colon);
        if (port(ApiKeys.class).roleDescriptors(id).isPresent()) {
            try {
                port(ApiKeyVerifier.class).verify(new ApiKey(id, plain.substring(colon + 1)));
                return true;
            } catch (ApiKeyException rejected) {
                return false;
            }
        }
        return outputCluster != null && outputCluster.authenticates(plain);
    }

    @Override
    public ObjectNode apiKey(String id) {
        return outputCluster == null ? null : outputCluster.apiKey(id);
    }

    @Override
    public String createSecret(String value) {
        throw new UnsupportedOperationException(
                "the embedded store has no writer for secrets; mark the test" + " @ElasticsearchOnly");
    }
}
