package dev.fleetserver.management.policies;

import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import dev.fleetserver.enrollment.EnrollmentService;
import dev.fleetserver.management.KeyInvalidation;
import dev.fleetserver.management.Kuery;
import dev.fleetserver.management.ManagementException;
import dev.fleetserver.management.Paging;
import dev.fleetserver.management.Timestamps;
import dev.fleetserver.policy.PolicyStore;
import dev.fleetserver.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Enrollment API keys as Kibana makes them: an API key of the store (no privileges, Fleet's metadata) plus its
 * record ({@code active}, {@code api_key_id}, {@code api_key}, {@code name}, {@code policy_id}, ...). Revoking
 * invalidates the key and deactivates the record. The token ({@code api_key}) is shown from the record when the
 * store keeps it; a store that keeps only a hash of it shows it once, in the create answer.
 */
public final class EnrollmentApiKeyService {

    private static final Logger log = LoggerFactory.getLogger(EnrollmentApiKeyService.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The record fields a response shows, in Kibana's order ({@code hidden} only in reads). */
    private static final List<String> RESPONSE_FIELDS =
            List.of("id", "api_key_id", "api_key", "name", "active", "policy_id", "created_at", "expire_at");

    private final EnrollmentKeyStore store;
    private final ApiKeys apiKeys;
    private final PolicyStore policies;
    private final EnrollmentService enrollment;
    private final Clock clock;

    EnrollmentApiKeyService(
            EnrollmentKeyStore store,
            ApiKeys apiKeys,
            PolicyStore policies,
            EnrollmentService enrollment,
            Clock clock) {
        this.store = store;
        this.apiKeys = apiKeys;
        this.policies = policies;
        this.enrollment = enrollment;
        this.clock = clock;
    }

    /** A page of keys, newest first. */
    public ObjectNode list(Paging paging, Kuery kuery) {
        List<ObjectNode> matching = store.all().stream()
                .filter(record -> kuery.matches(Kuery.fieldsOf(record, field -> null)))
                .map(record -> response(record, true))
                .toList();
        ObjectNode body = paging.envelope(paging.slice(matching), matching.size());
        // Kibana still sends the items a second time as "list" for 8.x clients.
        ObjectNode withList = NODES.objectNode();
        withList.set("list", body.get("items").deepCopy());
        withList.setAll(body);
        return withList;
    }

    public ObjectNode get(String id) {
        return response(find(id), true);
    }

    /**
     * Creates a key for the policy: {@code name} becomes {@code "<name> (<uuid>)"} (just the uuid without one).
     *
     * @param expiration e.g. {@code 7d}: recorded as {@code expire_at} (agents' enrollment does not check it, as
     *     upstream's does not)
     */
    public ObjectNode create(String policyId, @Nullable String name, @Nullable String expiration) {
        AgentPolicy policy = policies.latestDocument(policyId)
                .map(AgentPolicy::of)
                .orElseThrow(() -> ManagementException.notFound("Agent policy \"" + policyId + "\" not found"));
        if (name != null) {
            String prefix = name + " (";
            boolean taken = store.all().stream()
                    .anyMatch(record -> policyId.equals(record.path("policy_id").asString(null))
                            && record.path("name").asString("").startsWith(prefix));
            if (taken) {
                throw ManagementException.conflict(
                        "An enrollment key named " + name + " already exists for agent policy " + policyId);
            }
        }
        String id = UUID.randomUUID().toString();
        String fullName = name == null ? id : name + " (" + id + ")";
        ObjectNode record = createKey(id, fullName, policy, expiration, null);
        return response(record, false);
    }

    /** Invalidates the key and deactivates its record ({@code forceDelete}: removes the record too). */
    public void delete(String id, boolean forceDelete) {
        ObjectNode record = find(id);
        String apiKeyId = record.path("api_key_id").asString("");
        if (!apiKeyId.isEmpty()) {
            KeyInvalidation.invalidate(apiKeys, List.of(apiKeyId));
            enrollment.forgetEnrollmentKey(apiKeyId);
        }
        if (forceDelete) {
            store.delete(id);
        } else {
            ObjectNode fields = NODES.objectNode();
            fields.put("active", false);
            fields.put("updated_at", Timestamps.format(clock.instant()));
            store.update(id, fields);
        }
        log.info(
                "Enrollment key {} of policy {} revoked",
                id,
                record.path("policy_id").asString(""));
    }

    /** Revokes and removes every key of a policy (when the policy is deleted). */
    void deleteAllOf(String policyId) {
        for (ObjectNode record : store.all()) {
            if (policyId.equals(record.path("policy_id").asString(null))) {
                delete(record.path("id").asString(), true);
            }
        }
    }

    /**
     * Makes sure a preconfigured token exists, creating it once: its record id is derived from the policy and the
     * name, so a restart, or another instance starting at the same time, finds it instead of creating another.
     *
     * @param token the token itself, {@code base64(id:secret)}, when the configuration gives one (embedded store)
     * @return whether it was created now
     */
    boolean ensurePreconfigured(String policyId, String name, @Nullable String token) {
        String id = UUID.nameUUIDFromBytes(
                        ("fleet.enrollment_tokens:" + policyId + ":" + name).getBytes(StandardCharsets.UTF_8))
                .toString();
        if (store.find(id).isPresent()) {
            return false;
        }
        AgentPolicy policy = policies.latestDocument(policyId)
                .map(AgentPolicy::of)
                .orElseThrow(() -> ManagementException.notFound("Agent policy \"" + policyId + "\" not found"));
        CreatedApiKey given = token == null ? null : decodeToken(token);
        try {
            createKey(id, name + " (" + id + ")", policy, null, given);
            return true;
        } catch (StoreUnavailableException e) {
            if (store.find(id).isPresent()) {
                return false; // another instance created it meanwhile; createKey invalidated ours
            }
            throw e;
        }
    }

    private ObjectNode createKey(
            String id, String name, AgentPolicy policy, @Nullable String expiration, @Nullable CreatedApiKey given) {
        ObjectNode roles = NODES.objectNode();
        ObjectNode role = roles.putObject("fleet-apikey-enroll");
        role.putArray("cluster");
        role.putArray("index");
        ObjectNode application = role.putArray("applications").addObject();
        application.put("application", "fleet");
        application.putArray("privileges").add("no-privileges");
        application.putArray("resources").add("*");
        ObjectNode metadata = NODES.objectNode();
        metadata.put("managed_by", "fleet");
        metadata.put("managed", true);
        metadata.put("type", "enroll");
        metadata.put("policy_id", policy.id());
        CreatedApiKey key =
                given == null ? apiKeys.create(name, roles, metadata) : apiKeys.adopt(given, name, roles, metadata);
        Instant now = clock.instant();
        ObjectNode record = NODES.objectNode();
        record.put("active", true);
        record.put("api_key_id", key.id());
        record.put("api_key", key.token());
        record.put("name", name);
        record.put("policy_id", policy.id());
        record.set(
                "namespaces",
                NODES.arrayNode()
                        .addAll(policy.namespaces().stream()
                                .map(NODES::stringNode)
                                .toList()));
        record.put("created_at", Timestamps.format(now));
        if (expiration != null) {
            record.put("expire_at", Timestamps.format(now.plus(duration(expiration))));
        }
        record.put("hidden", policy.isManaged());
        try {
            store.create(id, record);
        } catch (RuntimeException e) {
            // No record, no use for the key: do not leave a valid credential behind.
            try {
                apiKeys.invalidate(List.of(key.id()));
            } catch (RuntimeException ignored) {
                log.warn("Could not invalidate API key {} of an enrollment key that was not stored", key.id());
            }
            throw e;
        }
        ObjectNode created = record.deepCopy();
        created.put("id", id);
        log.info("Enrollment key {} created for policy {}", id, policy.id());
        return created;
    }

    private ObjectNode find(String id) {
        return store.find(id).orElseThrow(() -> ManagementException.notFound("EnrollmentAPIKey " + id + " not found"));
    }

    private static ObjectNode response(ObjectNode record, boolean withHidden) {
        ObjectNode item = NODES.objectNode();
        for (String field : RESPONSE_FIELDS) {
            JsonNode value = record.get(field);
            if (value != null && !value.isNull()) {
                item.set(field, value.deepCopy());
            }
        }
        if (withHidden) {
            item.put("hidden", record.path("hidden").asBoolean(false));
        }
        return item;
    }

    /** {@code 7d}, {@code 24h}, {@code 30m}, {@code 60s} (validated by the schema). */
    static Duration duration(String expiration) {
        long amount = Long.parseLong(expiration.substring(0, expiration.length() - 1));
        return switch (expiration.charAt(expiration.length() - 1)) {
            case 'd' -> Duration.ofDays(amount);
            case 'h' -> Duration.ofHours(amount);
            case 'm' -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    private static CreatedApiKey decodeToken(String token) {
        String plain = new String(java.util.Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
        int colon = plain.indexOf(':');
        return new CreatedApiKey(plain.substring(0, colon), plain.substring(colon + 1));
    }
}
