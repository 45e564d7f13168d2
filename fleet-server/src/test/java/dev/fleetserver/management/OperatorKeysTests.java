package dev.fleetserver.management;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Operator keys: configured and added ones, privilege names and their shorthands. */
class OperatorKeysTests {

    private static final String SECRET = "a-long-operator-secret-0123456789";

    private static String header(String id, String key) {
        return "ApiKey " + Base64.getEncoder().encodeToString((id + ":" + key).getBytes(StandardCharsets.UTF_8));
    }

    private final OperatorKeys keys = new OperatorKeys(List.of(
            new FleetServerConfig.OperatorKey("ops", new Secret(SECRET), List.of("fleet-agents-all")),
            new FleetServerConfig.OperatorKey("auditor", new Secret(SECRET + "-2"), List.of("read")),
            new FleetServerConfig.OperatorKey("root", new Secret(SECRET + "-3"), null)));

    @Test
    void theRightSecretAuthenticatesAndAnAllPrivilegeIncludesItsRead() {
        Operator ops = keys.authenticate(header("ops", SECRET)).orElseThrow();

        assertThat(ops.id()).isEqualTo("ops");
        assertThat(ops.privileges()).containsExactlyInAnyOrder(Privilege.FLEET_AGENTS_ALL, Privilege.FLEET_AGENTS_READ);
    }

    @Test
    void shorthandsExpand() {
        assertThat(keys.authenticate(header("auditor", SECRET + "-2"))
                        .orElseThrow()
                        .privileges())
                .containsExactlyInAnyOrder(
                        Privilege.FLEET_AGENTS_READ,
                        Privilege.FLEET_AGENT_POLICIES_READ,
                        Privilege.FLEET_SETTINGS_READ);
        assertThat(keys.authenticate(header("root", SECRET + "-3"))
                        .orElseThrow()
                        .privileges())
                .as("no privileges listed means all")
                .containsExactlyInAnyOrder(Privilege.values());
    }

    @Test
    void anythingElseIsRefused() {
        assertThat(keys.authenticate(null)).isEmpty();
        assertThat(keys.authenticate(header("ops", SECRET + "x"))).isEmpty();
        assertThat(keys.authenticate(header("nobody", SECRET))).isEmpty();
        assertThat(keys.authenticate(header("auditor", SECRET)))
                .as("another key's secret")
                .isEmpty();
        assertThat(keys.authenticate("Basic " + Base64.getEncoder().encodeToString("ops:x".getBytes())))
                .isEmpty();
        assertThat(keys.authenticate("ApiKey %%%")).isEmpty();
        assertThat(keys.authenticate("ApiKey " + Base64.getEncoder().encodeToString("no-colon".getBytes())))
                .isEmpty();
    }

    @Test
    void aKeyKnownOnlyByItsDigestCanBeAdded() {
        keys.addHashed("generated", OperatorKeys.digest("generated-secret-abcdef0123456789"), List.of("all"));

        assertThat(keys.authenticate(header("generated", "generated-secret-abcdef0123456789")))
                .hasValueSatisfying(operator ->
                        assertThat(operator.holdsAnyOf(Privilege.FLEET_SETUP)).isTrue());
        assertThat(keys.authenticate(header("generated", "wrong"))).isEmpty();
    }
}
