package dev.fleetserver.enrollment;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.agent.AgentVersion;
import dev.fleetserver.apikey.ApiKeyRetirement;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.auth.ApiKey;
import dev.fleetserver.auth.ApiKeyAuthenticator;
import dev.fleetserver.config.ServerVersion;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Enrolls agents (agent-api §9): checks the enrollment token, creates the agent's access API key and its
 * document, or replaces an existing agent that presents its replace token. Any failure after the key exists
 * undoes what was done, so an enrollment either happens completely or not at all.
 */
public final class EnrollmentService {

    private static final Logger log = LoggerFactory.getLogger(EnrollmentService.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final EnrollmentTokens tokens;
    private final AgentStore agents;
    private final ApiKeys apiKeys;
    private final ApiKeyRetirement retirement;
    private final ApiKeyAuthenticator authenticator;
    private final ReplaceTokens replaceTokens;
    private final ServerVersion serverVersion;
    private final Set<String> enrollmentsInFlight = ConcurrentHashMap.newKeySet();

    EnrollmentService(
            EnrollmentTokens tokens,
            AgentStore agents,
            ApiKeys apiKeys,
            ApiKeyRetirement retirement,
            ApiKeyAuthenticator authenticator,
            ReplaceTokens replaceTokens,
            ServerVersion serverVersion) {
        this.tokens = tokens;
        this.serverVersion = serverVersion;
        this.agents = agents;
        this.apiKeys = apiKeys;
        this.retirement = retirement;
        this.authenticator = authenticator;
        this.replaceTokens = replaceTokens;
    }

    /**
     * Enrolls in upstream's order of checks (agent-api §9.2): the token, the agent's version, the enrollment
     * record, then the body.
     *
     * @param authorization the request's {@code Authorization} header lines
     * @param body read only after the token and version checks
     */
    EnrollResponse enroll(List<String> authorization, String userAgent, Supplier<EnrollRequest> body) {
        EnrollmentTokens.VerifiedToken token = tokens.verify(ApiKey.fromAuthorizationHeaders(authorization));
        String agentVersion = AgentVersion.check(userAgent, serverVersion.number());
        EnrollmentKey key = tokens.resolve(token);
        EnrollRequest request = body.get();
        if (request.id() != null) {
            return enrollWithId(request.id(), key, agentVersion, request);
        }
        if (request.enrollmentId() == null) {
            return createAgent(UUID.randomUUID().toString(), key, agentVersion, request);
        }
        // Concurrent retries of one enrollment: all but the first are told to retry (429).
        if (!enrollmentsInFlight.add(request.enrollmentId())) {
            throw new EnrollDuplicateException();
        }
        try {
            agents.findByEnrollmentId(request.enrollmentId())
                    .filter(previous -> previous.lastCheckin() == null)
                    .ifPresent(this::removeUnusedAgent);
            return createAgent(UUID.randomUUID().toString(), key, agentVersion, request);
        } finally {
            enrollmentsInFlight.remove(request.enrollmentId());
        }
    }

    private EnrollResponse enrollWithId(String agentId, EnrollmentKey key, String version, EnrollRequest request) {
        Agent existing = agents.findById(agentId).orElse(null);
        if (existing == null) {
            return createAgent(agentId, key, version, request);
        }
        if (!existing.active()) {
            agents.delete(agentId);
            return createAgent(agentId, key, version, request);
        }
        if (!replaceable(existing, key, request)) {
            throw new AgentNotReplaceableException();
        }
        return replaceAgent(existing, key, version, request);
    }

    private static boolean replaceable(Agent existing, EnrollmentKey key, EnrollRequest request) {
        String stored = existing.replaceTokenHash();
        return stored != null
                && !stored.isEmpty()
                && request.replaceToken() != null
                && ReplaceTokens.matches(request.replaceToken(), stored)
                && Objects.equals(existing.policyId(), key.policyId());
    }

    private void removeUnusedAgent(Agent previous) {
        String keyId = previous.accessApiKeyId();
        if (keyId != null) {
            retireOrFail(keyId);
        }
        agents.delete(previous.id());
        log.info("Replaced agent {} that never checked in (same enrollment_id)", previous.id());
    }

    private EnrollResponse createAgent(String agentId, EnrollmentKey key, String version, EnrollRequest request) {
        CreatedApiKey accessKey = createAccessKey(agentId);
        String now = now();
        ObjectNode document = NODES.objectNode();
        document.put("active", true);
        document.put("policy_id", key.policyId());
        document.put("policy_base_id", basePolicyId(key.policyId()));
        if (!key.namespaces().isEmpty()) {
            document.set("namespaces", strings(key.namespaces()));
        }
        document.put("type", request.type());
        document.put("enrolled_at", now);
        JsonNode localMetadata = localMetadata(request.localMetadata(), agentId);
        if (localMetadata != null) {
            document.set("local_metadata", localMetadata);
        }
        document.put("access_api_key_id", accessKey.id());
        document.set("action_seq_no", NODES.arrayNode().add(-1));
        document.set("agent", NODES.objectNode().put("id", agentId).put("version", version));
        if (!request.tags().isEmpty()) {
            document.set("tags", strings(request.tags()));
        }
        if (request.enrollmentId() != null) {
            document.put("enrollment_id", request.enrollmentId());
        }
        if (request.replaceToken() != null) {
            document.put("replace_token", replaceTokens.hash(request.replaceToken()));
        }
        try {
            if (!agents.create(agentId, document)) {
                throw new AgentNotReplaceableException();
            }
        } catch (RuntimeException e) {
            rollBack(accessKey);
            throw e;
        }
        authenticator.remember(new ApiKey(accessKey.id(), accessKey.secret()));
        log.info("Enrolled agent {} into policy {}", agentId, key.policyId());
        return EnrollResponse.of(
                agentId, key.policyId(), request.type(), now, null, localMetadata, accessKey, request.tags());
    }

    private EnrollResponse replaceAgent(Agent existing, EnrollmentKey key, String version, EnrollRequest request) {
        String agentId = existing.id();
        CreatedApiKey accessKey = createAccessKey(agentId);
        try {
            String oldKeyId = existing.accessApiKeyId();
            if (oldKeyId != null) {
                retireOrFail(oldKeyId);
            }
            ObjectNode fields = NODES.objectNode();
            fields.set("namespaces", strings(key.namespaces()));
            JsonNode localMetadata = localMetadata(request.localMetadata(), agentId);
            fields.set("local_metadata", localMetadata);
            fields.put("access_api_key_id", accessKey.id());
            fields.set("agent", NODES.objectNode().put("id", agentId).put("version", version));
            fields.set("tags", strings(request.tags()));
            // Forces a fresh POLICY_CHANGE on the next checkin.
            fields.put("policy_revision_idx", 0);
            fields.put("policy_base_id", basePolicyId(key.policyId()));
            fields.put("updated_at", now());
            fields.putNull("audit_unenrolled_time");
            fields.putNull("audit_unenrolled_reason");
            fields.putNull("unenrolled_at");
            fields.putNull("unenrolled_reason");
            if (!agents.update(agentId, fields)) {
                throw new AgentNotReplaceableException();
            }
            authenticator.remember(new ApiKey(accessKey.id(), accessKey.secret()));
            log.info("Re-enrolled agent {} with its replace token", agentId);
            JsonNode userProvided = existing.field("user_provided_metadata");
            return EnrollResponse.of(
                    agentId,
                    Objects.requireNonNullElse(existing.policyId(), key.policyId()),
                    Objects.requireNonNullElse(existing.type(), request.type()),
                    Objects.requireNonNullElse(existing.enrolledAt(), now()),
                    userProvided,
                    localMetadata,
                    accessKey,
                    request.tags());
        } catch (RuntimeException e) {
            apiKeys.invalidate(List.of(accessKey.id()));
            throw e;
        }
    }

    private CreatedApiKey createAccessKey(String agentId) {
        ObjectNode roles = NODES.objectNode();
        roles.set(
                "fleet-apikey-access",
                NODES.objectNode()
                        .<ObjectNode>set("cluster", NODES.arrayNode())
                        .set(
                                "applications",
                                NODES.arrayNode()
                                        .add(NODES.objectNode()
                                                .put("application", "fleet")
                                                .<ObjectNode>set(
                                                        "privileges",
                                                        NODES.arrayNode().add("no-privileges"))
                                                .set(
                                                        "resources",
                                                        NODES.arrayNode().add("*")))));
        ObjectNode metadata = NODES.objectNode()
                .put("agent_id", agentId)
                .put("managed", true)
                .put("managed_by", "fleet-server")
                .put("type", "access");
        return apiKeys.create(agentId, roles, metadata);
    }

    private void rollBack(CreatedApiKey accessKey) {
        try {
            apiKeys.invalidate(List.of(accessKey.id()));
        } catch (RuntimeException e) {
            log.warn("Could not invalidate access key {} of a failed enrollment: {}", accessKey.id(), e.getMessage());
        }
    }

    private void retireOrFail(String keyId) {
        if (!retirement.retire(keyId)) {
            throw new IllegalStateException("API key " + keyId + " did not become visible to be invalidated");
        }
    }

    /** {@code elastic.agent.id} is rewritten to the new id when the key exists; other JSON is kept as sent. */
    private static @Nullable JsonNode localMetadata(@Nullable JsonNode local, String agentId) {
        if (local == null) {
            return null;
        }
        JsonNode copy = local.deepCopy();
        JsonNode agent = copy.path("elastic").path("agent");
        if (agent instanceof ObjectNode agentObject && agentObject.has("id")) {
            agentObject.put("id", agentId);
        }
        return copy;
    }

    /** The policy id without a {@code #<suffix>}: {@code "p1#9.2"} → {@code "p1"}. */
    static String basePolicyId(String policyId) {
        int hash = policyId.lastIndexOf('#');
        return hash < 0 ? policyId : policyId.substring(0, hash);
    }

    private static tools.jackson.databind.node.ArrayNode strings(List<String> values) {
        var array = NODES.arrayNode();
        values.forEach(array::add);
        return array;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
