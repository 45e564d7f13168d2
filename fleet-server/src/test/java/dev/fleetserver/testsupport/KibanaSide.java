package dev.fleetserver.testsupport;

import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Kibana does to a fleet, whichever store keeps it: policy revisions, enrollment tokens, actions, edits of
 * agent documents, and the reads a test needs to check what the server wrote. {@link SimulatedKibana} writes the
 * {@code .fleet-*} documents into Elasticsearch as Kibana does; {@link EmbeddedFleet} makes the same writes through
 * the storage ports of the in-process server on the embedded store. {@link TestStore#kibana} gives the one for the
 * store under test, so the end-to-end tests are written once.
 */
public interface KibanaSide {

    /** An action as stored: its document id (the agent's ack token), its position ({@code _seq_no}) and source. */
    record IndexedAction(String id, String actionId, long seqNo, ObjectNode source) {}

    // ---------------------------------------------------------------- policies

    /** Writes revision 1 of {@link #defaultPolicyData} and returns {@code policyId}. */
    default String createPolicy(String policyId) {
        addPolicyRevision(policyId, 1, defaultPolicyData(policyId));
        return policyId;
    }

    /**
     * Appends the next revision: the latest {@code data} copied, {@code revision} incremented, then {@code dataEdit}
     * applied. Returns the new revision.
     */
    default long newRevision(String policyId, Consumer<ObjectNode> dataEdit) {
        ObjectNode latest = latestPolicyDocument(policyId);
        long revision = latest.path("revision_idx").asLong() + 1;
        ObjectNode data = ((ObjectNode) latest.path("data")).deepCopy();
        data.put("revision", revision);
        dataEdit.accept(data);
        addPolicyRevision(policyId, revision, data);
        return revision;
    }

    /** Writes a policy document with any {@code revision_idx}, as a Kibana that raced another would. */
    void addPolicyRevision(String policyId, long revision, ObjectNode data);

    /** The stored document of the highest revision ({@code policy_id}, {@code revision_idx}, {@code data}). */
    ObjectNode latestPolicyDocument(String policyId);

    /**
     * A realistic agent policy: one Elasticsearch output (the test node; the server gets each agent's key there),
     * permissions, monitoring, one {@code logfile} input, and {@code fleet.hosts}.
     */
    ObjectNode defaultPolicyData(String policyId);

    // ---------------------------------------------------------------- enrollment tokens

    /** A new enrollment token for the policy; returns the encoded token agents present, registered as a secret. */
    String createEnrollmentToken(String policyId);

    /** Sets {@code active: false} on the token's record; its API key stays valid. */
    void deactivateEnrollmentToken(String token);

    /** Kibana's "revoke": invalidates the token's API key and deactivates its record. */
    void revokeEnrollmentToken(String token);

    // ---------------------------------------------------------------- actions

    /**
     * Stores an action for {@code agentIds}: {@code action_id} a random UUID, {@code @timestamp} now,
     * {@code expiration} in one hour, {@code data} a sensible default for the type (none for UNENROLL and unknown
     * types), {@code namespaces ["default"]}; {@code edit} may change or remove anything.
     */
    IndexedAction createAction(String type, List<String> agentIds, Consumer<ObjectNode> edit);

    default IndexedAction createAction(String type, List<String> agentIds) {
        return createAction(type, agentIds, document -> {});
    }

    /** Stores the action documents as written, in order (on Elasticsearch with one {@code _bulk} request). */
    List<IndexedAction> createActions(List<ObjectNode> documents);

    /** The results of an action (one per acknowledging agent). */
    List<ObjectNode> actionResults(String actionId);

    // ---------------------------------------------------------------- agents

    /** The agent document, or {@code null} when there is none. */
    ObjectNode agentDocument(String agentId);

    /** Ids of the agent documents whose {@code field} has this value, every write so far included. */
    List<String> agentIdsWhere(String field, String value);

    /** A partial update ({@code doc} merge) of the agent document, as Kibana makes one. */
    void updateAgent(String agentId, ObjectNode partial);

    /** A partial update of one top-level field of the agent document (e.g. {@code active}). */
    default void setAgentField(String agentId, String field, JsonNode value) {
        ObjectNode partial = Http.JSON.createObjectNode();
        partial.set(field, value);
        updateAgent(agentId, partial);
    }

    // ---------------------------------------------------------------- API keys

    /**
     * Whether the key is accepted where it lives: an agent's access key by the fleet's credential store, an output
     * key by the output's cluster. Takes the plain {@code id:key} or the encoded form.
     */
    boolean authenticates(String idColonKeyOrEncodedToken);

    /**
     * The description of a key in the Elasticsearch it lives in ({@code GET /_security/api_key?id=<id>}: name,
     * metadata, role_descriptors, invalidated, ...), or {@code null} when unknown there. Output keys live in the test
     * node with either store; agents' access keys only with the Elasticsearch store.
     */
    ObjectNode apiKey(String id);

    // ---------------------------------------------------------------- secrets

    /**
     * Stores a secret value in {@code .fleet-secrets} and returns its id. Elasticsearch only: the embedded store has
     * no writer for secrets yet, so tests that need one are {@link ElasticsearchOnly}.
     */
    String createSecret(String value);

    /** The key id of an encoded {@code base64(id:secret)} token or a plain {@code id:secret}. */
    static String apiKeyId(String token) {
        return SimulatedKibana.apiKeyId(token);
    }
}
