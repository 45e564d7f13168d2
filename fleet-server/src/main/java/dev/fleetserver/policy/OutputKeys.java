package dev.fleetserver.policy;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.agent.OutputKey;
import dev.fleetserver.apikey.ApiKeyRetirement;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.apikey.FleetCluster;
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
 * The agent's API key per Elasticsearch output (algorithms §8.4–8.6): created when missing (or when an output now
 * points at another cluster), updated in place when the output's permissions change (the old roles stay, renamed
 * {@code *-rdstale}, until the agent runs the new policy), kept otherwise; keys of removed outputs are retired.
 * The agent document records each key as {@code outputs.<name>}, written by read-modify-write so Kibana's fields
 * survive.
 *
 * <p>Where an output's keys are made is decided by its type in the policy, never by its name: keys of
 * {@code remote_elasticsearch} outputs live in that output's cluster, reached with its own hosts and service
 * token; keys of {@code elasticsearch} outputs live in the fleet's Elasticsearch ({@link FleetCluster}). Without
 * one (the embedded store) an {@code elasticsearch} output that carries a {@code service_token} is treated like a
 * remote one, and one without gets no key: the policy supplies its credentials. The server's own credential
 * store ({@code credentials}: access keys) never holds output keys unless it is the fleet's Elasticsearch.
 */
public final class OutputKeys {

    private static final Logger log = LoggerFactory.getLogger(OutputKeys.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SECRET_REFERENCE = Pattern.compile("^\\$co\\.elastic\\.secret\\{([^}]+)}$");
    private static final Pattern STALE_ROLE = Pattern.compile("^(.*)-\\d+-rdstale$");
    private static final String STALE = "-rdstale";
    private static final String REMOTE = "remote_elasticsearch";
    private static final String ELASTICSEARCH = "elasticsearch";
    /** Our own field on the agent document: which remote cluster (by its hosts) a remote output's key lives in. */
    private static final String REMOTE_CLUSTER = "remote_cluster_hash";

    private final AgentStore agents;
    private final ApiKeys credentials;
    private final Optional<ApiKeys> fleetKeys;
    private final RemoteClusters remoteClusters;
    private final OutputHealth outputHealth;
    private final SecretStore secrets;
    private final Function<String, Optional<PreparedPolicy>> policies;

    /**
     * @param credentials the server's own API keys (agents' access keys)
     * @param policies the latest prepared revision of a policy, to tell where an output's keys live
     */
    public OutputKeys(
            AgentStore agents,
            ApiKeys credentials,
            FleetCluster fleetCluster,
            RemoteClusters remoteClusters,
            OutputHealth outputHealth,
            SecretStore secrets,
            Function<String, Optional<PreparedPolicy>> policies) {
        this.agents = agents;
        this.credentials = credentials;
        this.fleetKeys = fleetCluster.apiKeys();
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
        List<String> keyed = new ArrayList<>();
        for (String output : outputNames) {
            ObjectNode config = outputs.path(output) instanceof ObjectNode c ? c : NODES.objectNode();
            Home home = home(config);
            if (home == Home.NONE) {
                continue; // the policy brings this output's credentials
            }
            keyed.add(output);
            PreparedPolicy.OutputPermissions permissions = policy.permissions().get(output);
            if (permissions == null) {
                throw new PolicyRenderException("output_permissions for output " + output + " not found");
            }
            boolean ownCluster = home == Home.OWN_CLUSTER;
            try {
                ApiKeys cluster = ownCluster ? remoteClusters.keysFor(output, config) : fleetKeys.orElseThrow();
                String clusterHash = ownCluster ? clusterHash(config) : null;
                OutputKey existing = recorded.get(output);
                boolean sameCluster = !ownCluster
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
                if (ownCluster) {
                    outputHealth.report(output, true, "");
                }
            } catch (RuntimeException e) {
                if (!ownCluster) {
                    throw e;
                }
                log.warn("No API key for agent {} in remote output {}: {}", agent.id(), output, e.getMessage());
                outputHealth.report(
                        output, false, "remote ES could not create API key due to error: " + e.getMessage());
            }
        }
        retireRemovedOutputs(agent, keyed, policy);
        return keys;
    }

    /**
     * The {@code elasticsearch} outputs of a deliverable policy whose keys are made in their own cluster with
     * their {@code service_token} (only without a fleet Elasticsearch): that token must not reach the agent.
     */
    public java.util.Set<String> ownClusterOutputs(ObjectNode deliverable) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        if (deliverable.path("outputs") instanceof ObjectNode outputs) {
            for (Map.Entry<String, JsonNode> output : outputs.properties()) {
                if (ELASTICSEARCH.equals(output.getValue().path("type").asString(""))
                        && home(output.getValue()) == Home.OWN_CLUSTER) {
                    names.add(output.getKey());
                }
            }
        }
        return names;
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
            Optional<ApiKeys> keysOf = keysOf(policy, output);
            if (keysOf.isEmpty()) {
                continue; // no cluster is known to hold this output's keys
            }
            ApiKeys cluster = keysOf.get();
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
        // Grouped by the store that holds them (in Elasticsearch mode access and output keys share one).
        Map<ApiKeys, List<String>> byCluster = new java.util.IdentityHashMap<>();
        if (agent.accessApiKeyId() != null) {
            byCluster.computeIfAbsent(credentials, c -> new ArrayList<>()).add(agent.accessApiKeyId());
        }
        for (Map.Entry<String, OutputKey> entry : agent.outputs().entrySet()) {
            List<String> ids = new ArrayList<>(entry.getValue().retiredKeyIds());
            if (entry.getValue().apiKeyId() != null) {
                ids.add(entry.getValue().apiKeyId());
            }
            keysOf(policy, entry.getKey())
                    .ifPresent(cluster -> byCluster
                            .computeIfAbsent(cluster, c -> new ArrayList<>())
                            .addAll(ids));
        }
        byCluster.forEach((cluster, ids) ->
                invalidateQuietly(cluster, ids.stream().distinct().toList(), agent.id()));
    }

    /** For an inactive agent (force-unenrolled in Kibana, which cannot reach remote clusters): its remote keys. */
    public void invalidateRemoteKeys(Agent agent) {
        Optional<PreparedPolicy> policy = policyOf(agent);
        agent.outputs().forEach((output, key) -> {
            if (isOwnCluster(policy, output) && key.apiKeyId() != null) {
                keysOf(policy, output)
                        .ifPresent(cluster -> invalidateQuietly(cluster, List.of(key.apiKeyId()), agent.id()));
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

    /**
     * Keys of outputs the policy no longer has (or that no longer take a key) are listed as retired under the
     * first output that still has one, to be invalidated once the agent runs this revision. When no output takes a
     * key any more, they are invalidated at once on the embedded store, and stay recorded on Elasticsearch.
     */
    private void retireRemovedOutputs(Agent agent, List<String> keyed, PreparedPolicy policy) {
        if (keyed.isEmpty() && fleetKeys.isPresent()) {
            return;
        }
        for (String removed : agent.outputs().keySet()) {
            if (keyed.contains(removed)) {
                continue;
            }
            if (keyed.isEmpty()) {
                OutputKey key = agent.outputs().get(removed);
                List<String> ids = new ArrayList<>(key.retiredKeyIds());
                if (key.apiKeyId() != null) {
                    ids.add(key.apiKeyId());
                }
                keysOf(Optional.of(policy), removed).ifPresent(cluster -> invalidateQuietly(cluster, ids, agent.id()));
                agents.modify(
                        agent.id(),
                        document -> document.path("outputs") instanceof ObjectNode outputs
                                && outputs.remove(removed) != null);
                continue;
            }
            String keep = keyed.getFirst();
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
            Optional<ApiKeys> keysOf = keysOf(policy, origin);
            if (keysOf.isEmpty()) {
                return;
            }
            ApiKeys cluster = keysOf.get();
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

    /** Where an output's keys are made. */
    private enum Home {
        /** The fleet's own Elasticsearch. */
        FLEET,
        /** The output's cluster, with the output's hosts and service token. */
        OWN_CLUSTER,
        /** Nowhere: the policy gives the output its credentials. */
        NONE
    }

    private Home home(JsonNode config) {
        if (REMOTE.equals(config.path("type").asString(""))) {
            return Home.OWN_CLUSTER;
        }
        if (fleetKeys.isPresent()) {
            return Home.FLEET;
        }
        return config.path("service_token").asString("").isEmpty() ? Home.NONE : Home.OWN_CLUSTER;
    }

    private boolean isOwnCluster(Optional<PreparedPolicy> policy, String output) {
        return policy.map(p -> p.deliverable().path("outputs").path(output))
                .filter(JsonNode::isObject)
                .map(config -> home(config) == Home.OWN_CLUSTER)
                .orElse(false);
    }

    /**
     * The cluster an output's keys live in, as the policy says; for an output the policy does not know, the
     * fleet's Elasticsearch (or, without one, the cluster the output last pointed to).
     */
    private Optional<ApiKeys> keysOf(Optional<PreparedPolicy> policy, String output) {
        JsonNode config =
                policy.map(p -> p.deliverable().path("outputs").path(output)).orElse(NODES.missingNode());
        if (config instanceof ObjectNode known) {
            return switch (home(known)) {
                case FLEET -> fleetKeys;
                case OWN_CLUSTER -> Optional.of(remoteClusters.keysFor(output, known));
                case NONE -> remoteClusters.lastKnown(output);
            };
        }
        return fleetKeys.isPresent() ? fleetKeys : remoteClusters.lastKnown(output);
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
