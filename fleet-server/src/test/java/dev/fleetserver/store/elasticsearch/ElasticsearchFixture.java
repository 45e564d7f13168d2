package dev.fleetserver.store.elasticsearch;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionFeed;
import dev.fleetserver.action.ActionStore;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.OutputHealth;
import dev.fleetserver.auth.ApiKeyVerifier;
import dev.fleetserver.config.ServerVersion;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import dev.fleetserver.health.StoreProbe;
import dev.fleetserver.policy.PolicyDocument;
import dev.fleetserver.policy.PolicyStore;
import dev.fleetserver.secret.SecretStore;
import dev.fleetserver.store.contract.StoreUnderTest;
import dev.fleetserver.testing.elasticsearch.ElasticsearchNode;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Elasticsearch adapters against the test node, wired as {@code ElasticsearchStoreConfiguration} wires them
 * (the service account's token, the index bootstrap done, both monitors following), for the store contract.
 */
final class ElasticsearchFixture implements StoreUnderTest {

    private final ElasticsearchAdmin admin;
    private final ElasticsearchConnection connection;
    private final IndexMonitor actionsMonitor;
    private final IndexMonitor policiesMonitor;
    private final ElasticsearchAgentStore agents;
    private final ElasticsearchPolicyStore policies;
    private final ElasticsearchActionStore actions;
    private final ElasticsearchEnrollmentKeyStore enrollmentKeys;
    private final ElasticsearchApiKeys apiKeys;
    private final ElasticsearchApiKeyVerifier verifier;
    private final ElasticsearchSecretStore secrets;
    private final ElasticsearchOutputHealth outputHealth;
    private final ElasticsearchStoreProbe probe;
    private final List<PolicyDocument> revisions = new CopyOnWriteArrayList<>();
    private final List<ActionDocument> delivered = new CopyOnWriteArrayList<>();

    ElasticsearchFixture(ElasticsearchNode node) {
        admin = new ElasticsearchAdmin(node);
        connection = ElasticsearchConnection.open(
                TestConfigs.forNode(node).output().elasticsearch(), new SimpleMeterRegistry());
        probe = new ElasticsearchStoreProbe(connection, new ServerVersion("9.5.0", "", ""));
        probe.prepare();
        actionsMonitor =
                new IndexMonitor(connection, FleetIndex.ACTIONS.indexName(), Duration.ofMillis(100), 1000, true);
        policiesMonitor =
                new IndexMonitor(connection, FleetIndex.POLICIES.indexName(), Duration.ofMillis(100), 1000, false);
        agents = new ElasticsearchAgentStore(connection);
        policies = new ElasticsearchPolicyStore(connection, policiesMonitor);
        actions = new ElasticsearchActionStore(connection, actionsMonitor);
        enrollmentKeys = new ElasticsearchEnrollmentKeyStore(connection);
        apiKeys = new ElasticsearchApiKeys(connection);
        verifier = new ElasticsearchApiKeyVerifier(connection);
        secrets = new ElasticsearchSecretStore(connection);
        outputHealth = new ElasticsearchOutputHealth(connection);
        policies.follow(revisions::addAll);
        actions.follow(delivered::addAll);
        try {
            // The first look fixes where the monitors start; only later documents are delivered.
            actionsMonitor.poll();
            policiesMonitor.poll();
        } catch (Exception e) {
            throw new IllegalStateException("the monitors cannot read the node", e);
        }
        actionsMonitor.start();
        policiesMonitor.start();
    }

    @Override
    public AgentStore agents() {
        return agents;
    }

    @Override
    public PolicyStore policies() {
        return policies;
    }

    @Override
    public ActionStore actions() {
        return actions;
    }

    @Override
    public ActionFeed actionFeed() {
        return actions;
    }

    @Override
    public EnrollmentKeyStore enrollmentKeys() {
        return enrollmentKeys;
    }

    @Override
    public ApiKeys apiKeys() {
        return apiKeys;
    }

    @Override
    public ApiKeyVerifier verifier() {
        return verifier;
    }

    @Override
    public SecretStore secrets() {
        return secrets;
    }

    @Override
    public OutputHealth outputHealth() {
        return outputHealth;
    }

    @Override
    public StoreProbe probe() {
        return probe;
    }

    @Override
    public List<PolicyDocument> deliveredRevisions() {
        return revisions;
    }

    @Override
    public List<ActionDocument> deliveredActions() {
        return delivered;
    }

    @Override
    public String putSecret(String value) {
        return new SimulatedKibana(admin).createSecret(value);
    }

    @Override
    public List<String> outputHealthStates(String output) {
        List<String> states = new ArrayList<>();
        admin.json(
                        "POST",
                        "/" + ElasticsearchOutputHealth.INDEX + "/_search?size=100",
                        "{\"query\":{\"term\":{\"output\":\"" + output + "\"}}}")
                .path("hits")
                .path("hits")
                .forEach(hit -> states.add(hit.path("_source").path("state").asString()));
        return states;
    }

    @Override
    public String credential() {
        return admin.node().serviceToken();
    }

    @Override
    public void close() {
        actionsMonitor.stop();
        policiesMonitor.stop();
        try {
            connection.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
