package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.nodes.NodesInfoResponse;
import co.elastic.clients.elasticsearch.nodes.info.NodeInfo;
import dev.fleetserver.config.ServerVersion;
import dev.fleetserver.health.StoreProbe;
import dev.fleetserver.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness of Elasticsearch: reachable with the service token, not older than this server's
 * {@code major.minor} (upstream's rule), and every {@code .fleet-*} index bootstrapped. The periodic check is
 * upstream's self monitor: a query on {@code .fleet-policies} (a missing index is fine).
 */
final class ElasticsearchStoreProbe implements StoreProbe {

    private static final Logger log = LoggerFactory.getLogger(ElasticsearchStoreProbe.class);

    private final ElasticsearchConnection connection;
    private final ServerVersion serverVersion;
    private volatile String lastVersion = "";

    ElasticsearchStoreProbe(ElasticsearchConnection connection, ServerVersion serverVersion) {
        this.connection = connection;
        this.serverVersion = serverVersion;
    }

    @Override
    public void prepare() {
        String version = nodeVersion();
        checkCompatible(version);
        if (!version.equals(lastVersion)) {
            log.info("Connected to {} version {}", describe(), version);
            lastVersion = version;
        }
        new IndexBootstrap(connection.client(), describe()).run();
    }

    @Override
    public void check() {
        try {
            connection
                    .client()
                    .search(
                            s -> s.index(FleetIndex.POLICIES.indexName())
                                    .size(0)
                                    .ignoreUnavailable(true)
                                    .allowNoIndices(true),
                            Void.class);
        } catch (Exception e) {
            throw ElasticsearchErrors.translate(e, "query " + FleetIndex.POLICIES.indexName(), describe());
        }
    }

    @Override
    public String describe() {
        return connection.describe();
    }

    /** The version of the node we talk to; {@code GET /} is not available on every distribution. */
    private String nodeVersion() {
        ElasticsearchClient client = connection.client();
        try {
            NodesInfoResponse info = client.nodes().info(r -> r.nodeId("_local").metric("http"));
            return info.nodes().values().stream()
                    .map(NodeInfo::version)
                    .findFirst()
                    .orElseThrow(() -> new StoreUnavailableException(
                            StoreUnavailableException.Reason.ERROR, "Elasticsearch reported no node"));
        } catch (StoreUnavailableException e) {
            throw e;
        } catch (Exception e) {
            throw ElasticsearchErrors.translate(e, "read the Elasticsearch version", describe());
        }
    }

    private void checkCompatible(String esVersion) {
        int[] es = majorMinor(esVersion);
        int[] ours = majorMinor(serverVersion.number());
        if (es[0] < ours[0] || (es[0] == ours[0] && es[1] < ours[1])) {
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.INCOMPATIBLE,
                    "Elasticsearch " + esVersion + " is older than this Fleet Server (" + serverVersion.number()
                            + "); upgrade Elasticsearch to " + ours[0] + "." + ours[1] + " or later");
        }
    }

    private static int[] majorMinor(String version) {
        String[] parts = version.split("[.-]");
        try {
            return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0};
        } catch (NumberFormatException e) {
            return new int[] {0, 0};
        }
    }
}
