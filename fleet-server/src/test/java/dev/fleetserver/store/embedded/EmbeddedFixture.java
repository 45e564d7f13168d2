package dev.fleetserver.store.embedded;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionFeed;
import dev.fleetserver.action.ActionStore;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.OutputHealth;
import dev.fleetserver.auth.ApiKeyVerifier;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import dev.fleetserver.health.StoreProbe;
import dev.fleetserver.policy.PolicyDocument;
import dev.fleetserver.policy.PolicyStore;
import dev.fleetserver.secret.SecretStore;
import dev.fleetserver.store.contract.StoreUnderTest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** The embedded store in a directory, wired as {@code EmbeddedStoreConfiguration} wires it, and opened. */
final class EmbeddedFixture implements StoreUnderTest {

    final Path directory;
    final EmbeddedDatabase database;
    final EmbeddedAgentStore agents;
    final EmbeddedPolicyStore policies;
    final EmbeddedActionStore actions;
    final EmbeddedEnrollmentKeyStore enrollmentKeys;
    final EmbeddedApiKeys apiKeys;
    final EmbeddedApiKeyVerifier verifier;
    final EmbeddedSecretStore secrets;
    final EmbeddedOutputHealth outputHealth;
    final EmbeddedStoreProbe probe;
    private final List<PolicyDocument> revisions = new CopyOnWriteArrayList<>();
    private final List<ActionDocument> delivered = new CopyOnWriteArrayList<>();

    private EmbeddedFixture(Path directory, EmbeddedDatabase.Settings settings) {
        this.directory = directory;
        database = new EmbeddedDatabase(directory, settings);
        Clock clock = Clock.systemUTC();
        agents = new EmbeddedAgentStore(database);
        policies = new EmbeddedPolicyStore(database, 1000);
        actions = new EmbeddedActionStore(database, 1000, clock);
        enrollmentKeys = new EmbeddedEnrollmentKeyStore(database);
        apiKeys = new EmbeddedApiKeys(database, clock);
        verifier = new EmbeddedApiKeyVerifier(database);
        secrets = new EmbeddedSecretStore(database);
        outputHealth = new EmbeddedOutputHealth(database, clock);
        probe = new EmbeddedStoreProbe(database);
        // As in the server: the feeds are followed when the beans are made, before the store opens.
        policies.follow(revisions::addAll);
        actions.follow(delivered::addAll);
    }

    static EmbeddedFixture open(Path directory) {
        return open(directory, EmbeddedDatabase.Settings.defaults());
    }

    static EmbeddedFixture open(Path directory, EmbeddedDatabase.Settings settings) {
        EmbeddedFixture fixture = new EmbeddedFixture(directory, settings);
        fixture.probe.prepare();
        return fixture;
    }

    /** Closes this store and opens a new one on the same directory, as a restarted server would. */
    EmbeddedFixture reopen() {
        close();
        return open(directory);
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
        String id = UUID.randomUUID().toString();
        secrets.put(id, value);
        return id;
    }

    @Override
    public List<String> outputHealthStates(String output) {
        return outputHealth.recent(output).stream()
                .map(report -> report.path("state").asString())
                .toList();
    }

    @Override
    public String credential() {
        return "";
    }

    @Override
    public void close() {
        database.close();
    }
}
