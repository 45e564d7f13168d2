package dev.fleetserver.management.policies;

import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.management.Kuery;
import dev.fleetserver.management.ManagementException;
import dev.fleetserver.management.Paging;
import dev.fleetserver.management.Timestamps;
import dev.fleetserver.policy.PolicyStore;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Agent policies as Kibana manages them, over the policy revisions of the store: create writes revision 1, update
 * the next revision (agents receive it), delete removes every revision once no active agent uses the policy.
 * Concurrent writers of the same revision collide in the store; the loser gets 409.
 */
public final class AgentPolicyService {

    private static final Logger log = LoggerFactory.getLogger(AgentPolicyService.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Kibana's saved-object schema version of agent policies. */
    private static final String SCHEMA_VERSION = "1.1.1";

    /** Attributes that may change on a policy an orchestrator manages (Kibana's list). */
    private static final List<String> EDITABLE_WHEN_MANAGED = List.of("namespace");

    /** Request keys that are instructions, not attributes. */
    private static final List<String> NOT_STORED = List.of("force", "bumpRevision");

    private final PolicyStore policies;
    private final AgentStore agents;
    private final EnrollmentApiKeyService enrollmentKeys;
    private final ObjectNode defaultOutputs;
    private final Clock clock;

    /** @param defaultOutputs what {@code outputs} agents get when the operator gives none */
    AgentPolicyService(
            PolicyStore policies,
            AgentStore agents,
            EnrollmentApiKeyService enrollmentKeys,
            ObjectNode defaultOutputs,
            Clock clock) {
        this.policies = policies;
        this.agents = agents;
        this.enrollmentKeys = enrollmentKeys;
        this.defaultOutputs = defaultOutputs;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ reads

    public Optional<AgentPolicy> find(String id) {
        return policies.latestDocument(id).map(AgentPolicy::of);
    }

    /** The policy or Kibana's saved-object 404. */
    public AgentPolicy require(String id) {
        return find(id).orElseThrow(() -> notFound(id));
    }

    /** Every policy (latest revision of each). */
    public List<AgentPolicy> all() {
        return policies.latestDocuments().stream().map(AgentPolicy::of).toList();
    }

    /** One policy as {@code GET /agent_policies/{id}} answers it: with its agent count and no package policies. */
    public ObjectNode get(String id) {
        AgentPolicy policy = require(id);
        return policy.response(Map.of(
                "agents", NODES.numberNode(activeAgentsByPolicy().getOrDefault(id, 0L)),
                "package_policies", NODES.arrayNode()));
    }

    /**
     * A page of policies, filtered by {@code kuery} over their attributes and sorted by {@code sortField}.
     *
     * @param withCounts whether items carry their agent counts (else {@code agents: 0}, as Kibana does)
     * @param full whether items carry {@code package_policies} (always empty here)
     */
    public ObjectNode list(
            Paging paging, Kuery kuery, String sortField, boolean ascending, boolean withCounts, boolean full) {
        Comparator<ObjectNode> order =
                Comparator.comparing(item -> item.path(sortField), AgentPolicyService::compareValues);
        List<ObjectNode> items = all().stream()
                .map(policy -> policy.response(Map.of()))
                .filter(item -> kuery.matches(Kuery.fieldsOf(item, field -> null)))
                .sorted(ascending ? order : order.reversed())
                .toList();
        Map<String, Long> counts = withCounts ? activeAgentsByPolicy() : Map.of();
        List<ObjectNode> page = paging.slice(items).stream()
                .map(item -> {
                    ObjectNode copy = item.deepCopy();
                    copy.put("agents", counts.getOrDefault(item.path("id").asString(), 0L));
                    if (full) {
                        copy.putArray("package_policies");
                    }
                    return copy;
                })
                .toList();
        return paging.envelope(page, items.size());
    }

    /** The policy exactly as agents receive it (without their per-agent output keys). */
    public ObjectNode full(String id, boolean standalone) {
        AgentPolicy policy = find(id).orElseThrow(() -> ManagementException.notFound("Agent policy not found"));
        ObjectNode data = policy.data().deepCopy();
        if (standalone) {
            // What an agent without Fleet runs: outputs take the key from the environment.
            data.path("outputs").forEach(output -> {
                if (output instanceof ObjectNode object
                        && object.path("type").asString("elasticsearch").equals("elasticsearch")) {
                    object.put("api_key", "${API_KEY}");
                }
            });
            data.remove("fleet");
            data.remove("signed");
            if (data.path("agent") instanceof ObjectNode agent) {
                agent.remove("protection");
            }
        }
        return data;
    }

    // ------------------------------------------------------------------ writes

    /**
     * Creates a policy (revision 1) from a validated create body, and its default enrollment key, as Kibana does.
     *
     * @param updatedBy the operator's key id
     */
    public ObjectNode create(ObjectNode body, String updatedBy) {
        return createWithDefaultKey(body, updatedBy).response();
    }

    /**
     * A created policy and the token of its default enrollment key: the embedded store keeps only the token's hash,
     * so this is the one moment it can be shown.
     */
    record Created(ObjectNode response, String enrollmentToken) {}

    /** {@link #create}, also giving the default enrollment key's token. */
    Created createWithDefaultKey(ObjectNode body, String updatedBy) {
        String id = body.path("id").asString(null);
        if (id == null || id.isBlank()) {
            id = body.path("has_fleet_server").asBoolean(false)
                            && find("fleet-server-policy").isEmpty()
                    ? "fleet-server-policy"
                    : UUID.randomUUID().toString();
        }
        if (find(id).isPresent()) {
            throw conflict(id);
        }
        requireUniqueName(body.path("name").asString(), id);
        ObjectNode attributes = attributesOf(body);
        attributes.put("id", id);
        attributes.put("status", "active");
        attributes.put("is_managed", body.path("is_managed").asBoolean(false));
        attributes.put("is_protected", false);
        if (id.equals("fleet-server-policy") && body.path("has_fleet_server").asBoolean(false)) {
            attributes.put("is_default_fleet_server", true);
        }
        AgentPolicy created = write(id, 1, attributes, contentOf(body, NODES.objectNode()), updatedBy);
        ObjectNode key = enrollmentKeys.create(id, "Default", null);
        log.info("Agent policy {} created (revision 1)", id);
        return new Created(created.response(Map.of()), key.path("api_key").asString());
    }

    /** The next revision of a policy from a validated update body; attributes not given keep their values. */
    public ObjectNode update(String id, ObjectNode body, String updatedBy) {
        AgentPolicy existing = require(id);
        boolean force = body.path("force").asBoolean(false);
        if (existing.isManaged() && !force) {
            for (Map.Entry<String, JsonNode> entry : body.properties()) {
                String key = entry.getKey();
                if (!EDITABLE_WHEN_MANAGED.contains(key)
                        && !NOT_STORED.contains(key)
                        && !entry.getValue().equals(existing.attributes().get(key))
                        && !entry.getValue().equals(existing.content().get(key))) {
                    throw ManagementException.hostedPolicy("Cannot update " + key);
                }
            }
        }
        if (!existing.attributes().path("status").asString("active").equals("active")) {
            throw ManagementException.invalid("Agent policy " + id + " cannot be updated because it is inactive");
        }
        requireUniqueName(body.path("name").asString(), id);
        ObjectNode attributes = existing.attributes().deepCopy();
        attributes.setAll(attributesOf(body));
        AgentPolicy updated =
                write(id, existing.revision() + 1, attributes, contentOf(body, existing.content()), updatedBy);
        log.info("Agent policy {} updated (revision {})", id, updated.revision());
        return updated.response(Map.of("package_policies", NODES.arrayNode()));
    }

    /**
     * Deletes a policy that no active agent uses: its enrollment keys are revoked and every revision removed.
     *
     * @return {@code {id, name}}
     */
    public ObjectNode delete(String id, boolean force) {
        AgentPolicy policy = require(id);
        if (policy.isManaged() && !force) {
            throw ManagementException.hostedPolicy("Cannot delete hosted agent policy " + id);
        }
        if (activeAgentsByPolicy().getOrDefault(id, 0L) > 0) {
            throw ManagementException.invalid(
                    "Cannot delete an agent policy that is assigned to any active or inactive agents");
        }
        enrollmentKeys.deleteAllOf(id);
        policies.deleteRevisions(id);
        log.info("Agent policy {} deleted", id);
        ObjectNode answer = NODES.objectNode();
        answer.put("id", id);
        answer.put("name", policy.name());
        return answer;
    }

    /**
     * Brings a policy of {@code fleet.agent_policies} (validated) up to date: revision 1 when it is new, a new
     * revision when its attributes or content differ from the latest revision, nothing otherwise. When another
     * instance writes the same revision first, the comparison is made again against what it wrote.
     *
     * @return the revision written, or 0 when nothing changed
     */
    long upsertPreconfigured(ObjectNode declared) {
        String id = declared.path("id").asString();
        ObjectNode attributes = attributesOf(declared);
        attributes.put("id", id);
        attributes.put("status", "active");
        attributes.put("is_managed", declared.path("is_managed").asBoolean(false));
        attributes.put("is_protected", false);
        attributes.put("is_preconfigured", true);
        ObjectNode content = contentOf(declared, NODES.objectNode());
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<AgentPolicy> existing = find(id);
            if (existing.isPresent() && sameDeclaration(existing.get(), attributes, content)) {
                return 0;
            }
            long revision = existing.map(p -> p.revision() + 1).orElse(1L);
            try {
                write(id, revision, attributes.deepCopy(), content, "system");
                log.info("Preconfigured agent policy {} written (revision {})", id, revision);
                return revision;
            } catch (ManagementException e) {
                if (e.kind() != ManagementException.Kind.CONFLICT) {
                    throw e;
                }
                // Another instance wrote this revision first: compare against it.
            }
        }
        throw conflict(id);
    }

    /** Active agents per policy id, from one pass over the agents. */
    public Map<String, Long> activeAgentsByPolicy() {
        Map<String, Long> counts = new HashMap<>();
        agents.forEachAgent(agent -> {
            String policyId = agent.policyId();
            if (agent.active() && policyId != null) {
                counts.merge(policyId, 1L, Long::sum);
            }
        });
        return counts;
    }

    // ------------------------------------------------------------------ helpers

    private AgentPolicy write(String id, long revision, ObjectNode attributes, ObjectNode content, String updatedBy) {
        String now = Timestamps.format(clock.instant());
        attributes.put("revision", revision);
        attributes.put("updated_at", now);
        attributes.put("updated_by", updatedBy);
        attributes.put("schema_version", SCHEMA_VERSION);
        ObjectNode document = NODES.objectNode();
        document.put("@timestamp", now);
        document.put("policy_id", id);
        document.put("revision_idx", revision);
        document.put("coordinator_idx", 0);
        document.put(
                "default_fleet_server",
                attributes.path("is_default_fleet_server").asBoolean(false));
        if (attributes.path("space_ids").isArray()
                && !attributes.path("space_ids").isEmpty()) {
            document.set("namespaces", attributes.get("space_ids").deepCopy());
        } else {
            document.putArray("namespaces").add("default");
        }
        if (attributes.path("unenroll_timeout").isNumber()) {
            document.put("unenroll_timeout", attributes.path("unenroll_timeout").asLong());
        }
        document.set("data", PolicyData.build(id, revision, attributes, content, defaultOutputs));
        document.set(AgentPolicy.ATTRIBUTES_FIELD, attributes);
        document.set(AgentPolicy.CONTENT_FIELD, content);
        if (!policies.addRevision(document)) {
            throw conflict(id);
        }
        return AgentPolicy.of(document);
    }

    /** The attributes a body sets: everything but the content and the instructions. */
    private static ObjectNode attributesOf(ObjectNode body) {
        ObjectNode attributes = NODES.objectNode();
        for (Map.Entry<String, JsonNode> entry : body.properties()) {
            if (!AgentPolicySchemas.CONTENT_KEYS.contains(entry.getKey()) && !NOT_STORED.contains(entry.getKey())) {
                attributes.set(entry.getKey(), entry.getValue().deepCopy());
            }
        }
        return attributes;
    }

    /** The content after a body: keys the body gives replace the previous ones. */
    private static ObjectNode contentOf(ObjectNode body, ObjectNode previous) {
        ObjectNode content = previous.deepCopy();
        for (String key : AgentPolicySchemas.CONTENT_KEYS) {
            if (body.has(key)) {
                content.set(key, body.get(key).deepCopy());
            }
        }
        return content;
    }

    private static boolean sameDeclaration(AgentPolicy existing, ObjectNode attributes, ObjectNode content) {
        ObjectNode stored = existing.attributes().deepCopy();
        for (String generated : List.of("revision", "updated_at", "updated_by", "schema_version")) {
            stored.remove(generated);
        }
        return stored.equals(attributes) && existing.content().equals(content);
    }

    private void requireUniqueName(String name, String id) {
        for (AgentPolicy policy : all()) {
            if (!policy.id().equals(id) && policy.name().equals(name)) {
                throw ManagementException.conflict(
                        "Agent Policy '" + policy.id() + "' already exists with name '" + name + "'");
            }
        }
    }

    private static ManagementException notFound(String id) {
        return ManagementException.notFound("Saved object [ingest-agent-policies/" + id + "] not found");
    }

    private static ManagementException conflict(String id) {
        return ManagementException.conflict("Saved object [ingest-agent-policies/" + id + "] conflict");
    }

    private static int compareValues(@Nullable JsonNode a, @Nullable JsonNode b) {
        boolean aMissing = a == null || a.isMissingNode() || a.isNull();
        boolean bMissing = b == null || b.isMissingNode() || b.isNull();
        if (aMissing || bMissing) {
            return Boolean.compare(!aMissing, !bMissing);
        }
        if (a.isNumber() && b.isNumber()) {
            return Double.compare(a.asDouble(), b.asDouble());
        }
        return a.asString().compareTo(b.asString());
    }
}
