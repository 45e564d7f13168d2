package dev.fleetserver.store.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.auth.ApiKey;
import dev.fleetserver.auth.ApiKeyException;
import dev.fleetserver.auth.ApiKeyVerifier;
import dev.fleetserver.testsupport.Secrets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every {@link ApiKeys} store and its {@link ApiKeyVerifier} do, run against each adapter: keys in the forms
 * agents know from Elasticsearch, verified, updated and invalidated.
 */
public abstract class ApiKeysContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String URL_SAFE = "[A-Za-z0-9_-]";

    protected abstract StoreUnderTest store();

    private ApiKeys keys() {
        return store().apiKeys();
    }

    private ApiKeyVerifier verifier() {
        return store().verifier();
    }

    private static ObjectNode roles(String privilege) {
        ObjectNode roles = JSON.createObjectNode();
        ObjectNode role = roles.putObject("fleet-apikey-access");
        role.putArray("cluster");
        ObjectNode application = role.putArray("applications").addObject();
        application.put("application", "fleet");
        application.putArray("privileges").add(privilege);
        application.putArray("resources").add("*");
        return roles;
    }

    private CreatedApiKey create() {
        ObjectNode metadata = JSON.createObjectNode()
                .put("agent_id", UUID.randomUUID().toString())
                .put("type", "access");
        CreatedApiKey key = keys().create("agent-" + UUID.randomUUID(), roles("no-privileges"), metadata);
        Secrets.register(key.secret());
        return key;
    }

    /** The privileges a key's role grants: Elasticsearch fills in defaults around them (indices, run_as, ...). */
    private static JsonNode privileges(ObjectNode roles) {
        return roles.path("fleet-apikey-access").path("applications").path(0).path("privileges");
    }

    private Optional<ObjectNode> visibleRoles(String id) {
        // Elasticsearch lists a key created without a refresh a moment after it authenticates.
        return await().atMost(Duration.ofSeconds(10)).until(() -> keys().roleDescriptors(id), Optional::isPresent);
    }

    @Test
    void aNewKeyHasElasticsearchsFormsAndAuthenticatesAtOnce() {
        CreatedApiKey key = create();

        assertThat(key.id()).matches(URL_SAFE + "{20}");
        assertThat(key.secret()).matches(URL_SAFE + "{22}");
        assertThat(verifier().verify(new ApiKey(key.id(), key.secret())).id()).isEqualTo(key.id());
        assertThat(ApiKey.fromAuthorizationHeaders(List.of("ApiKey " + key.token())))
                .isEqualTo(new ApiKey(key.id(), key.secret()));
    }

    @Test
    void aWrongSecretOrAnUnknownKeyIsRejected() {
        CreatedApiKey key = create();

        assertRejected(new ApiKey(key.id(), key.secret().substring(1) + "A"));
        assertRejected(new ApiKey("AAAAAAAAAAAAAAAAAAAA", key.secret()));
    }

    @Test
    void roleDescriptorsAreStoredAndReplacedInPlace() {
        CreatedApiKey key = create();
        assertThat(privileges(visibleRoles(key.id()).orElseThrow())).isEqualTo(privileges(roles("no-privileges")));

        keys().updateRoleDescriptors(key.id(), roles("all"));

        assertThat(privileges(keys().roleDescriptors(key.id()).orElseThrow())).isEqualTo(privileges(roles("all")));
        assertThat(verifier().verify(new ApiKey(key.id(), key.secret())).id()).isEqualTo(key.id());
        assertThat(keys().roleDescriptors("AAAAAAAAAAAAAAAAAAAA")).isEmpty();
    }

    @Test
    void anInvalidatedKeyIsRejectedAndInvalidatingAgainIsHarmless() {
        CreatedApiKey key = create();
        visibleRoles(key.id());

        assertThat(keys().invalidate(List.of(key.id(), "AAAAAAAAAAAAAAAAAAAA"))).containsExactly(key.id());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertRejected(new ApiKey(key.id(), key.secret())));
        // Elasticsearch 9.5 leaves an already invalidated key of its owner out of the answer; we do not.
        assertThat(keys().invalidate(List.of(key.id()))).isSubsetOf(key.id());
        assertRejected(new ApiKey(key.id(), key.secret()));
        assertThat(keys().invalidate(List.of())).isEmpty();
    }

    @Test
    void anInvalidatedKeyCannotBeUpdated() {
        CreatedApiKey key = create();
        visibleRoles(key.id());
        keys().invalidate(List.of(key.id()));

        assertThatThrownBy(() -> keys().updateRoleDescriptors(key.id(), roles("all")))
                .isInstanceOf(dev.fleetserver.store.StoreUnavailableException.class);
    }

    private void assertRejected(ApiKey key) {
        assertThatThrownBy(() -> verifier().verify(key))
                .isInstanceOfSatisfying(
                        ApiKeyException.class,
                        e -> assertThat(e.problem()).isEqualTo(ApiKeyException.Problem.REJECTED));
    }
}
