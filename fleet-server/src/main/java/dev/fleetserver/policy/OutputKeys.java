package dev.fleetserver.policy;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.agent.OutputKey;
import dev.fleetserver.apikey.ApiKeyRetirement;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.apikey.OutputHealth;
import dev.fleetserver.apikey.RemoteClusters;
import dev.fleetserver.secret.SecretStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The agent's API key per Elasticsearch output (algorithms §8.4–8.6): created when missing (or when a remote
 * output now points at another cluster), updated in place when the output's permissions change (the old roles
 * stay, renamed {@code *-rdstale}, until the agent runs the new policy), kept otherwise; keys of removed outputs
 * are retired. Keys of {@code remote_elasticsearch} outputs live in that output's cluster; whether an output is
 * remote is decided by its type in the policy, never by its name. The agent document records each key as
 * {@code outputs.<name>}, written by read-modify-write so Kibana's fields survive.
 */
public final class OutputKeys {

    private static final Logger log = LoggerFactory.getLogger(OutputKeys.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SECRET_REFERENCE = Pattern.compile("^\\$co\\.elastic\\.secret\\{([^}]+)}$");
    private static final Pattern STALE_ROLE = Pattern.compile("^(.*)-\\d+-rdstale$");
    private static final String STALE = "-rdstale";
    private static final String REMOTE = "remote_elasticsearch";
    /** Our own field on the agent document: which remote cluster (by its hosts) a remote output's key lives in. */
    private static final String REMOTE_CLUSTER = "remote_cluster_hash";

    private final AgentStore agents;
    private final ApiKeys localKeys;
    private final RemoteClusters remoteClusters;
    private final OutputHealth outputHealth;
    private final SecretStore secrets;
    private final Function<String, Optional<PreparedPolicy>> policies;

    /** @param policies the latest prepared revision of a policy, to tell local outputs from remote ones */
    public OutputKeys(
            AgentStore agents,
            ApiKeys localKeys,
            RemoteClusters remoteClusters,
            OutputHealth outputHealth,
            SecretStore secrets,
            Function<String, Optional<PreparedPolicy>> policies) {
        this.agents = agents;
        this.localKeys = localKeys;
        this.remoteClusters = remoteClusters;
        this.outputHealth = outputHealth;
        this.secrets = secrets;
        this.policies = policies;
    }

    /**
     * Makes sure the agent holds a key with the right permissions for each named output of the policy. A remote
     * cluster that cannot create a key does not fail the delivery: that output goes without a key and its health
     * is reported as degraded.
     *
     * @return {@code "<id>:<key>"} per output name that has a key
     */
    public Map<String, String> ensure(Agent agent, PreparedPolicy policy, List<String> outputNames) {
        Map<String, String> keys = new LinkedHashMap<>();
        Map<String, OutputKey> recorded = agent.outputs();
        ObjectNode outputs = policy.deliverable().path("outputs") instanceof ObjectNode o ? o : NODES.objectNode();
        for (String output : outputNames) {
            PreparedPolicy.OutputPermissions permissions = policy.permissions().get(output);
            if (permissions == null) {
                throw new PolicyRenderException("output_permissions for output " + output + " not found");
            }
            ObjectNode config = outputs.path(output) instanceof ObjectNode c ? c : NODES.objectNode();
            boolean remote = REMOTE.equals(config.path("type").asString());
            try {
                ApiKeys cluster = remote ? remoteClusters.keysFor(output, config) : localKeys;
                String clusterHash = remote ? clusterHash(config) : null;
                OutputKey existing = recorded.get(output);
                boolean sameCluster = !remote
                        || clusterHash.equals(agent.source()
                                .path("outputs")
                                .path(output)
                                .path(REMOTE_CLUSTER)
                                .asString(""));
                if (existing == null || !existing.hasApiKey() || existing.apiKeyId() == null || !sameCluster) {
                    keys.put(output, create(agent.id(), output, permissions, cluster, clusterHash));
                } else {
                    if (!permissions.hash().equals(existing.permissionsHash())) {
                        update(agent.id(), output, existing.apiKeyId(), permissions, cluster);
                    }
                    keys.put(output, plainKey(existing.apiKey()));
                }
                if (remote) {
                    outputHealth.report(output, true, "");
                }
            } catch (RuntimeException e) {
                if (!remote) {
                    throw e;
                }
                log.warn("No API key for agent {} in remote output {}: {}", agent.id(), output, e.getMessage());
                outputHealth.report(
                        output, false, "remote ES could not create API key due to error: " + e.getMessage());
            }
        }
        retireRemovedOutputs(agent, outputNames);
        return keys;
    }

    /**
     * After the agent runs a newer policy (ack or reported revision): drop stale roles and invalidate retired keys
     * of every output (algorithms §8.5). Retired entries are pruned once invalidated.
     */
    public void cleanUp(Agent agent) {
        Optional<PreparedPolicy> policy = policyOf(agent);
        for (Map.Entry<String, OutputKey> entry : agent.outputs().entrySet()) {
            String output = entry.getKey();
            OutputKey key = entry.getValue();
            ApiKeys cluster = keysOf(policy, output);
            if (key.apiKeyId() != null) {
                cluster.roleDescriptors(key.apiKeyId()).ifPresent(roles -> {
                    ObjectNode current = NODES.objectNode();
                    roles.properties().forEach(role -> {
                        if (!role.getKey().endsWith(STALE)) {
                            current.set(role.getKey(), role.getValue());
                        }
                    });
                    if (current.size() != roles.size()) {
                        cluster.updateRoleDescriptors(key.apiKeyId(), current);
                    }
                });
            }
            List<String> retired = key.retiredKeyIds().stream()
                    .filter(id -> !id.equals(key.apiKeyId()))
                    .toList();
            if (!retired.isEmpty()) {
                Set<String> invalidated = invalidateRetired(agent, output, policy);
                pruneRetired(agent.id(), output, invalidated);
            }
        }
    }

    /**
     * Invalidates every key of the agent: its access key and every current and retired output key, remote ones
     * through their output's cluster (for unenrollment). Failures are logged; the agent is unenrolled anyway.
     */
    public void invalidateAll(Agent agent) {
        Optional<PreparedPolicy> policy = policyOf(agent);
        List<String> local = new ArrayList<>();
        if (agent.accessApiKeyId() != null) {
            local.add(agent.accessApiKeyId());
        }
        Map<String, OutputKey> outputs = agent.outputs();
        for (Map.Entry<String, OutputKey> entry : outputs.entrySet()) {
            if (isRemote(policy, entry.getKey())) {
                List<String> ids = new ArrayList<>(entry.getValue().retiredKeyIds());
                if (entry.getValue().apiKeyId() != null) {
                    ids.add(entry.getValue().apiKeyId());
                }
                invalidateQuietly(keysOf(policy, entry.getKey()), ids, agent.id());
            } else {
                if (entry.getValue().apiKeyId() != null) {
                    local.add(entry.getValue().apiKeyId());
                }
                local.addAll(entry.getValue().retiredKeyIds());
            }
        }
        invalidateQuietly(localKeys, local.stream().distinct().toList(), agent.id());
    }

    /** For an inactive agent (force-unenrolled in Kibana, which cannot reach remote clusters): its remote keys. */
    public void invalidateRemoteKeys(Agent agent) {
        Optional<PreparedPolicy> policy = policyOf(agent);
        agent.outputs().forEach((output, key) -> {
            if (isRemote(policy, output) && key.apiKeyId() != null) {
                invalidateQuietly(keysOf(policy, output), List.of(key.apiKeyId()), agent.id());
            }
        });
    }

    private String create(
            String agentId,
            String output,
            PreparedPolicy.OutputPermissions permissions,
            ApiKeys cluster,
            @Nullable String clusterHash) {
        ObjectNode metadata = NODES.objectNode()
                .put("agent_id", agentId)
                .put("managed", true)
                .put("managed_by", "fleet-server")
                .put("output_name", output)
                .put("type", "output");
        CreatedApiKey key = cluster.create(
                agentId + ":" + output, permissions.roleDescriptors().deepCopy(), metadata);
        String retiredAt = now();
        boolean written = agents.modify(agentId, document -> {
            ObjectNode entry = outputEntry(document, output);
            if (!entry.has("type")) {
                entry.put("type", "elasticsearch");
            }
            String oldId = entry.path("api_key_id").asString("");
            if (!oldId.isEmpty() && !oldId.equals(key.id())) {
                addRetired(entry, oldId, retiredAt, output);
            }
            // Without the Fleet plugin the service account cannot write .fleet-secrets: the key is stored inline,
            // the form every reader accepts (data-model §4.2).
            entry.put("api_key", key.plain());
            entry.put("api_key_id", key.id());
            entry.put("permissions_hash", permissions.hash());
            if (clusterHash != null) {
                entry.put(REMOTE_CLUSTER, clusterHash);
            }
            return true;
        });
        if (!written) {
            cluster.invalidate(List.of(key.id()));
            throw new PolicyRenderException("agent " + agentId + " disappeared while its output key was created");
        }
        log.info("Created API key {} for agent {} output {}", key.id(), agentId, output);
        return key.plain();
    }

    private void update(
            String agentId,
            String output,
            String keyId,
            PreparedPolicy.OutputPermissions permissions,
            ApiKeys cluster) {
        ObjectNode roles = permissions.roleDescriptors().deepCopy();
        cluster.roleDescriptors(keyId)
                .ifPresent(old -> old.properties().forEach(role -> {
                    Matcher stale = STALE_ROLE.matcher(role.getKey());
                    String base = stale.matches() ? stale.group(1) : role.getKey();
                    int n = 0;
                    while (roles.has(base + "-" + n + STALE)) {
                        n++;
                    }
                    roles.set(base + "-" + n + STALE, role.getValue());
                }));
        cluster.updateRoleDescriptors(keyId, roles);
        agents.modify(agentId, document -> {
            outputEntry(document, output).put("permissions_hash", permissions.hash());
            return true;
        });
        log.info("Updated the permissions of API key {} for agent {} output {}", keyId, agentId, output);
    }

    private void retireRemovedOutputs(Agent agent, List<String> outputNames) {
        if (outputNames.isEmpty()) {
            return;
        }
        String keep = outputNames.getFirst();
        for (String removed : agent.outputs().keySet()) {
            if (outputNames.contains(removed)) {
                continue;
            }
            String retiredAt = now();
            agents.modify(agent.id(), document -> {
                if (!(document.path("outputs") instanceof ObjectNode outputs) || !outputs.has(removed)) {
                    return false;
                }
                String oldId = outputs.path(removed).path("api_key_id").asString("");
                if (!oldId.isEmpty()) {
                    addRetired(outputEntry(document, keep), oldId, retiredAt, removed);
                }
                outputs.remove(removed);
                return true;
            });
        }
    }

    /**
     * Invalidates the retired keys listed under an output, each through the cluster of the output it came from. A
     * key created moments ago may not be visible yet: it is retried in the background until it is, and pruned
     * from the list then.
     *
     * @return the ids invalidated now
     */
    private Set<String> invalidateRetired(Agent agent, String output, Optional<PreparedPolicy> policy) {
        Map<String, List<String>> byCluster = new LinkedHashMap<>();
        for (JsonNode entry : agent.source().path("outputs").path(output).path("to_retire_api_key_ids")) {
            String id = entry.path("id").asString("");
            if (id.isEmpty() || id.equals(agent.outputs().get(output).apiKeyId())) {
                continue;
            }
            String origin = entry.path("output").asString("");
            byCluster
                    .computeIfAbsent(origin.isEmpty() ? output : origin, o -> new ArrayList<>())
                    .add(id);
        }
        Set<String> invalidated = new java.util.HashSet<>();
        byCluster.forEach((origin, ids) -> {
            ApiKeys cluster = keysOf(policy, origin);
            Set<String> done = cluster.invalidate(ids);
            invalidated.addAll(done);
            ids.stream()
                    .filter(id -> !done.contains(id))
                    .forEach(id -> Thread.ofVirtual().start(() -> {
                        try {
                            if (ApiKeyRetirement.defaults(cluster).retire(id)) {
                                pruneRetired(agent.id(), output, Set.of(id));
                            }
                        } catch (RuntimeException e) {
                            log.warn(
                                    "Retired API key {} of agent {} was not invalidated: {}",
                                    id,
                                    agent.id(),
                                    e.getMessage());
                        }
                    }));
        });
        return invalidated;
    }

    private void pruneRetired(String agentId, String output, Set<String> invalidated) {
        agents.modify(agentId, document -> {
            if (!(document.path("outputs").path(output).path("to_retire_api_key_ids") instanceof ArrayNode retired)) {
                return false;
            }
            ArrayNode kept = NODES.arrayNode();
            retired.forEach(entry -> {
                if (!invalidated.contains(entry.path("id").asString())) {
                    kept.add(entry);
                }
            });
            if (kept.size() == retired.size()) {
                return false;
            }
            outputEntry(document, output).set("to_retire_api_key_ids", kept);
            return true;
        });
    }

    private Optional<PreparedPolicy> policyOf(Agent agent) {
        String policyId = agent.policyId();
        return policyId == null ? Optional.empty() : policies.apply(policyId);
    }

    private static boolean isRemote(Optional<PreparedPolicy> policy, String output) {
        return policy.map(p -> REMOTE.equals(p.deliverable()
                        .path("outputs")
                        .path(output)
                        .path("type")
                        .asString()))
                .orElse(false);
    }

    /** The cluster an output's keys live in: the policy decides; an unknown output counts as local. */
    private ApiKeys keysOf(Optional<PreparedPolicy> policy, String output) {
        if (!isRemote(policy, output)) {
            return localKeys;
        }
        if (policy.get().deliverable().path("outputs").path(output) instanceof ObjectNode config) {
            return remoteClusters.keysFor(output, config);
        }
        return remoteClusters.lastKnown(output).orElse(localKeys);
    }

    private static void invalidateQuietly(ApiKeys cluster, List<String> ids, String agentId) {
        if (ids.isEmpty()) {
            return;
        }
        try {
            cluster.invalidate(ids);
        } catch (RuntimeException e) {
            log.warn("API keys {} of agent {} were not invalidated: {}", ids, agentId, e.getMessage());
        }
    }

    private static void addRetired(ObjectNode entry, String keyId, String retiredAt, String output) {
        ArrayNode toRetire = entry.get("to_retire_api_key_ids") instanceof ArrayNode existing
                ? existing
                : entry.putArray("to_retire_api_key_ids");
        for (JsonNode retired : toRetire) {
            if (keyId.equals(retired.path("id").asString())) {
                return;
            }
        }
        toRetire.add(
                NODES.objectNode().put("id", keyId).put("retired_at", retiredAt).put("output", output));
    }

    private static ObjectNode outputEntry(ObjectNode document, String output) {
        ObjectNode outputs =
                document.get("outputs") instanceof ObjectNode existing ? existing : document.putObject("outputs");
        return outputs.get(output) instanceof ObjectNode entry ? entry : outputs.putObject(output);
    }

    /** Which cluster a remote output points to: a digest of its hosts (never of its token). */
    private static String clusterHash(ObjectNode config) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(config.path("hosts").toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Readers accept both the plain {@code id:key} and a secret reference to it. */
    private String plainKey(String stored) {
        Matcher m = SECRET_REFERENCE.matcher(stored);
        if (!m.matches()) {
            return stored;
        }
        String value = secrets.read(List.of(m.group(1))).get(m.group(1));
        if (value == null) {
            throw new PolicyRenderException("secret " + m.group(1) + " holding an output key was not found");
        }
        return value;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
