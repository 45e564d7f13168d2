package dev.fleetserver.policy;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.agent.OutputKey;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.secret.SecretStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The agent's API key per Elasticsearch output (algorithms §8.4–8.5): created when missing, updated in place
 * when the output's permissions change (the old roles stay, renamed {@code *-rdstale}, until the agent runs the
 * new policy), kept otherwise; keys of removed outputs are retired. The agent document records each key as
 * {@code outputs.<name>}, written by read-modify-write so Kibana's fields survive.
 */
public final class OutputKeys {

    private static final Logger log = LoggerFactory.getLogger(OutputKeys.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SECRET_REFERENCE = Pattern.compile("^\\$co\\.elastic\\.secret\\{([^}]+)}$");
    private static final String STALE = "-rdstale";

    private final AgentStore agents;
    private final ApiKeys apiKeys;
    private final SecretStore secrets;

    public OutputKeys(AgentStore agents, ApiKeys apiKeys, SecretStore secrets) {
        this.agents = agents;
        this.apiKeys = apiKeys;
        this.secrets = secrets;
    }

    /**
     * Makes sure the agent holds a key with the right permissions for each named output.
     *
     * @return {@code "<id>:<key>"} per output name
     */
    public Map<String, String> ensure(Agent agent, PreparedPolicy policy, List<String> outputNames) {
        Map<String, String> keys = new LinkedHashMap<>();
        Map<String, OutputKey> recorded = agent.outputs();
        for (String output : outputNames) {
            PreparedPolicy.OutputPermissions permissions = policy.permissions().get(output);
            if (permissions == null) {
                throw new PolicyRenderException("output_permissions for output " + output + " not found");
            }
            OutputKey existing = recorded.get(output);
            if (existing == null || !existing.hasApiKey() || existing.apiKeyId() == null) {
                keys.put(output, create(agent.id(), output, permissions, existing));
            } else {
                if (!permissions.hash().equals(existing.permissionsHash())) {
                    update(agent.id(), output, existing.apiKeyId(), permissions);
                }
                keys.put(output, plainKey(existing.apiKey()));
            }
        }
        retireRemovedOutputs(agent, outputNames);
        return keys;
    }

    /**
     * After the agent runs a newer policy (ack or reported revision): drop stale roles and invalidate retired keys
     * of every output (algorithms §8.5).
     */
    public void cleanUp(Agent agent) {
        for (Map.Entry<String, OutputKey> entry : agent.outputs().entrySet()) {
            OutputKey key = entry.getValue();
            if (key.apiKeyId() == null) {
                continue;
            }
            apiKeys.roleDescriptors(key.apiKeyId()).ifPresent(roles -> {
                ObjectNode current = NODES.objectNode();
                roles.properties().forEach(role -> {
                    if (!role.getKey().endsWith(STALE)) {
                        current.set(role.getKey(), role.getValue());
                    }
                });
                if (current.size() != roles.size()) {
                    apiKeys.updateRoleDescriptors(key.apiKeyId(), current);
                }
            });
            List<String> retired = key.retiredKeyIds().stream()
                    .filter(id -> !id.equals(key.apiKeyId()))
                    .toList();
            if (!retired.isEmpty()) {
                apiKeys.invalidate(retired);
                pruneRetired(agent.id(), entry.getKey(), Set.copyOf(retired));
            }
        }
    }

    /** Every key id of the agent: access key, output keys and retired output keys (for unenrollment). */
    public static List<String> allKeyIds(Agent agent) {
        List<String> ids = new ArrayList<>();
        if (agent.accessApiKeyId() != null) {
            ids.add(agent.accessApiKeyId());
        }
        agent.outputs().values().forEach(key -> {
            if (key.apiKeyId() != null) {
                ids.add(key.apiKeyId());
            }
            ids.addAll(key.retiredKeyIds());
        });
        return ids.stream().distinct().toList();
    }

    private String create(
            String agentId, String output, PreparedPolicy.OutputPermissions permissions, @Nullable OutputKey previous) {
        ObjectNode metadata = NODES.objectNode()
                .put("agent_id", agentId)
                .put("managed", true)
                .put("managed_by", "fleet-server")
                .put("output_name", output)
                .put("type", "output");
        CreatedApiKey key = apiKeys.create(
                agentId + ":" + output, permissions.roleDescriptors().deepCopy(), metadata);
        String retiredAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        boolean written = agents.modify(agentId, document -> {
            ObjectNode entry = outputEntry(document, output);
            if (!entry.has("type")) {
                entry.put("type", "elasticsearch");
            }
            String oldId = entry.path("api_key_id").asString("");
            if (!oldId.isEmpty() && !oldId.equals(key.id())) {
                ArrayNode toRetire = entry.has("to_retire_api_key_ids")
                                && entry.get("to_retire_api_key_ids").isArray()
                        ? (ArrayNode) entry.get("to_retire_api_key_ids")
                        : entry.putArray("to_retire_api_key_ids");
                boolean listed = false;
                for (JsonNode retired : toRetire) {
                    listed |= oldId.equals(retired.path("id").asString());
                }
                if (!listed) {
                    toRetire.add(NODES.objectNode()
                            .put("id", oldId)
                            .put("retired_at", retiredAt)
                            .put("output", output));
                }
            }
            // Without the Fleet plugin the service account cannot write .fleet-secrets: the key is stored inline,
            // the form every reader accepts (data-model §4.2).
            entry.put("api_key", key.plain());
            entry.put("api_key_id", key.id());
            entry.put("permissions_hash", permissions.hash());
            return true;
        });
        if (!written) {
            apiKeys.invalidate(List.of(key.id()));
            throw new PolicyRenderException("agent " + agentId + " disappeared while its output key was created");
        }
        log.info("Created API key {} for agent {} output {}", key.id(), agentId, output);
        return key.plain();
    }

    private void update(String agentId, String output, String keyId, PreparedPolicy.OutputPermissions permissions) {
        ObjectNode roles = permissions.roleDescriptors().deepCopy();
        apiKeys.roleDescriptors(keyId)
                .ifPresent(old -> old.properties().forEach(role -> {
                    String base = staleBase(role.getKey());
                    int n = 0;
                    while (roles.has(base + "-" + n + STALE)) {
                        n++;
                    }
                    roles.set(base + "-" + n + STALE, role.getValue());
                }));
        apiKeys.updateRoleDescriptors(keyId, roles);
        agents.modify(agentId, document -> {
            outputEntry(document, output).put("permissions_hash", permissions.hash());
            return true;
        });
        log.info("Updated the permissions of API key {} for agent {} output {}", keyId, agentId, output);
    }

    /** {@code logs-1-rdstale} → {@code logs}: an old stale role is renamed afresh, not stacked. */
    private static String staleBase(String role) {
        Matcher m = Pattern.compile("^(.*)-\\d+" + Pattern.quote(STALE) + "$").matcher(role);
        return m.matches() ? m.group(1) : role;
    }

    private void retireRemovedOutputs(Agent agent, List<String> outputNames) {
        for (Map.Entry<String, OutputKey> entry : agent.outputs().entrySet()) {
            String removed = entry.getKey();
            if (outputNames.contains(removed) || outputNames.isEmpty()) {
                continue;
            }
            String keep = outputNames.getFirst();
            String retiredAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            agents.modify(agent.id(), document -> {
                JsonNode outputs = document.path("outputs");
                if (!(outputs instanceof ObjectNode outputsObject) || !outputsObject.has(removed)) {
                    return false;
                }
                String oldId = outputsObject.path(removed).path("api_key_id").asString("");
                if (!oldId.isEmpty()) {
                    ObjectNode target = outputEntry(document, keep);
                    ArrayNode toRetire = target.has("to_retire_api_key_ids")
                                    && target.get("to_retire_api_key_ids").isArray()
                            ? (ArrayNode) target.get("to_retire_api_key_ids")
                            : target.putArray("to_retire_api_key_ids");
                    toRetire.add(NODES.objectNode()
                            .put("id", oldId)
                            .put("retired_at", retiredAt)
                            .put("output", removed));
                }
                outputsObject.remove(removed);
                return true;
            });
        }
    }

    private void pruneRetired(String agentId, String output, Set<String> invalidated) {
        agents.modify(agentId, document -> {
            JsonNode list = document.path("outputs").path(output).path("to_retire_api_key_ids");
            if (!(list instanceof ArrayNode retired)) {
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

    private static ObjectNode outputEntry(ObjectNode document, String output) {
        ObjectNode outputs =
                document.get("outputs") instanceof ObjectNode existing ? existing : document.putObject("outputs");
        return outputs.get(output) instanceof ObjectNode entry ? entry : outputs.putObject(output);
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
}
