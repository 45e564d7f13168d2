package dev.fleetserver.management.policies;

import static dev.fleetserver.management.Schema.maybe;
import static dev.fleetserver.management.Schema.object;
import static dev.fleetserver.management.Schema.string;

import dev.fleetserver.config.ConfigException;
import dev.fleetserver.config.Preconfiguration;
import dev.fleetserver.health.ServerHealth;
import dev.fleetserver.management.ManagementException;
import dev.fleetserver.management.Schema;
import dev.fleetserver.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies {@code fleet.agent_policies} and {@code fleet.enrollment_tokens} at every start, once the store is
 * ready: a declared policy that is new gets revision 1, a changed one a new revision, an unchanged one nothing; a
 * declared token is created once (its record id derives from its policy and name). Both are safe when several
 * instances start together: a revision or record written first by another instance is taken as is. While the
 * store is unavailable it retries with backoff.
 */
public final class Preconfigurer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Preconfigurer.class);

    private static final Schema.ObjectSchema TOKEN = object().field("policy_id", string().minLength(1))
            .field("name", maybe(string().minLength(1)))
            .field("token", maybe(string().minLength(1)));

    private final List<ObjectNode> policies;
    private final List<ObjectNode> tokens;
    private final AgentPolicyService policyService;
    private final EnrollmentApiKeyService keyService;
    private final ServerHealth health;
    private final CountDownLatch applied = new CountDownLatch(1);
    private volatile boolean running;
    private volatile @Nullable Thread worker;

    Preconfigurer(
            Preconfiguration declared,
            AgentPolicyService policyService,
            EnrollmentApiKeyService keyService,
            ServerHealth health) {
        this.policies = checkedPolicies(declared);
        this.tokens = checkedTokens(declared);
        this.policyService = policyService;
        this.keyService = keyService;
        this.health = health;
    }

    /**
     * Checks the declarations with the management API's rules, so that a bad one stops the start with one line.
     *
     * @throws ConfigException naming the first bad key
     */
    public static void check(Preconfiguration declared) {
        checkedPolicies(declared);
        checkedTokens(declared);
    }

    private static List<ObjectNode> checkedPolicies(Preconfiguration declared) {
        List<ObjectNode> checked = new ArrayList<>();
        for (int i = 0; i < declared.agentPolicies().size(); i++) {
            ObjectNode entry = declared.agentPolicies().get(i).deepCopy();
            String key = "fleet.agent_policies[" + i + "]";
            if (entry.path("id").isNumber()) {
                entry.put("id", entry.path("id").asString()); // Kibana accepts numeric ids
            }
            if (entry.has("package_policies")) {
                throw new ConfigException(
                        key + ".package_policies",
                        null,
                        "integrations are not available here; give the policy's inputs (and outputs) instead");
            }
            checked.add(check(AgentPolicySchemas.PRECONFIGURED, entry, key));
        }
        return checked;
    }

    private static List<ObjectNode> checkedTokens(Preconfiguration declared) {
        List<ObjectNode> checked = new ArrayList<>();
        for (int i = 0; i < declared.enrollmentTokens().size(); i++) {
            String key = "fleet.enrollment_tokens[" + i + "]";
            ObjectNode entry = check(TOKEN, declared.enrollmentTokens().get(i), key);
            if (entry.path("token").isString()
                    && !isApiKeyToken(entry.path("token").asString())) {
                // Never echo the value: it is a secret.
                throw new ConfigException(
                        key + ".token",
                        null,
                        "must be base64 of \"<id>:<secret>\", as agents present enrollment tokens");
            }
            checked.add(entry);
        }
        return checked;
    }

    private static ObjectNode check(Schema.ObjectSchema schema, JsonNode entry, String key) {
        try {
            return schema.check(entry, key);
        } catch (Schema.Violation e) {
            throw new ConfigException(e.path(), null, e.reason());
        }
    }

    private static boolean isApiKeyToken(String token) {
        try {
            String plain = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = plain.indexOf(':');
            return colon > 0 && colon < plain.length() - 1 && plain.indexOf(':', colon + 1) < 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Waits until the declared policies and tokens are in the store (at once when none are declared), e.g. before
     * showing an operator the token to enroll with.
     *
     * @return false when that did not happen within the timeout
     */
    public boolean awaitApplied(Duration timeout) {
        try {
            return applied.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void start() {
        running = true;
        if (policies.isEmpty() && tokens.isEmpty()) {
            applied.countDown();
            return;
        }
        worker = Thread.ofPlatform().daemon().name("fleet-preconfiguration").start(this::applyWhenReady);
    }

    @Override
    public void stop() {
        running = false;
        Thread thread = worker;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void applyWhenReady() {
        Duration backoff = Duration.ofMillis(500);
        while (running) {
            if (health.isReady()) {
                try {
                    apply();
                    return;
                } catch (StoreUnavailableException e) {
                    log.warn("Preconfiguration not applied yet: {}; retrying", e.getMessage());
                } catch (RuntimeException e) {
                    log.error("Preconfiguration not applied yet: {}; retrying", e.toString(), e);
                }
            }
            LockSupport.parkNanos(backoff.toNanos());
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0
                    ? Duration.ofSeconds(10)
                    : backoff.multipliedBy(2);
        }
    }

    /**
     * Upserts every declared policy, then every declared token; a declared policy without a declared token gets
     * one named {@code Default}, as Kibana gives every policy a default enrollment key.
     */
    void apply() {
        List<ObjectNode> wanted = new ArrayList<>(tokens);
        for (ObjectNode policy : policies) {
            policyService.upsertPreconfigured(policy);
            String policyId = policy.path("id").asString();
            if (tokens.stream().noneMatch(t -> t.path("policy_id").asString().equals(policyId))) {
                wanted.add(policy.objectNode().put("policy_id", policyId));
            }
        }
        for (ObjectNode token : wanted) {
            String policyId = token.path("policy_id").asString();
            String name = token.path("name").asString("Default");
            try {
                if (keyService.ensurePreconfigured(
                        policyId, name, token.path("token").asString(null))) {
                    log.info("Preconfigured enrollment token \"{}\" created for policy {}", name, policyId);
                }
            } catch (ManagementException | UnsupportedOperationException e) {
                log.warn("Preconfigured enrollment token \"{}\" not created: {}", name, e.getMessage());
            }
        }
        log.info("Preconfiguration applied: {} policies, {} enrollment tokens", policies.size(), tokens.size());
        applied.countDown();
    }
}
