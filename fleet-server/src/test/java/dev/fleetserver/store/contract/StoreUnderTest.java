package dev.fleetserver.store.contract;

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
import java.util.List;

/**
 * One adapter's implementations of every storage port, opened and ready, for the contract tests. Each adapter's
 * test class builds one (a real Elasticsearch node, or the embedded store in a temporary directory). The feeds are
 * followed once, when the fixture is built, and everything they deliver is collected here.
 */
public interface StoreUnderTest extends AutoCloseable {

    AgentStore agents();

    PolicyStore policies();

    ActionStore actions();

    ActionFeed actionFeed();

    EnrollmentKeyStore enrollmentKeys();

    ApiKeys apiKeys();

    ApiKeyVerifier verifier();

    SecretStore secrets();

    OutputHealth outputHealth();

    StoreProbe probe();

    /** Every policy revision the policy feed delivered so far, in order. */
    List<PolicyDocument> deliveredRevisions();

    /** Every action the action feed delivered so far, in order. */
    List<ActionDocument> deliveredActions();

    /** Stores a secret the way this store gets them (Kibana, a tool) and returns its id. */
    String putSecret(String value);

    /** The states ({@code HEALTHY}, {@code DEGRADED}) reported for an output, in any order. */
    List<String> outputHealthStates(String output);

    /** Text that must never appear in {@link StoreProbe#describe()} (the store's own credentials), or empty. */
    String credential();

    @Override
    void close();
}
