package dev.fleetserver.store.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The {@code .fleet-*} indices the server bootstraps on a node without the Fleet plugin (data-model §4),
 * each with its explicit mapping from {@code elasticsearch/mappings/}. {@code .fleet-secrets} is absent: the
 * service account may only read it.
 */
enum FleetIndex {
    AGENTS(".fleet-agents", "fleet-agents.json", false),
    POLICIES(".fleet-policies", "fleet-policies.json", true),
    ACTIONS(".fleet-actions", "fleet-actions.json", true),
    ACTIONS_RESULTS(".fleet-actions-results", "fleet-actions-results.json", false),
    ENROLLMENT_API_KEYS(".fleet-enrollment-api-keys", "fleet-enrollment-api-keys.json", false),
    ARTIFACTS(".fleet-artifacts", "fleet-artifacts.json", false),
    SERVERS(".fleet-servers", "fleet-servers.json", false),
    POLICIES_LEADER(".fleet-policies-leader", "fleet-policies-leader.json", false);

    private final String indexName;
    private final String mappingResource;
    private final boolean monitored;

    FleetIndex(String indexName, String mappingResource, boolean monitored) {
        this.indexName = indexName;
        this.mappingResource = mappingResource;
        this.monitored = monitored;
    }

    String indexName() {
        return indexName;
    }

    /**
     * Whether the server follows the index by {@code _seq_no}, which is only correct with exactly one primary
     * shard.
     */
    boolean monitored() {
        return monitored;
    }

    /** The mapping body ({@code _meta}, {@code dynamic: false}, {@code properties}). */
    String mappingJson() {
        String path = "elasticsearch/mappings/" + mappingResource;
        try (InputStream in = FleetIndex.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
