package dev.fleetserver.store.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.enrollment.EnrollmentKey;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What every {@link EnrollmentKeyStore} does, run against each adapter. */
public abstract class EnrollmentKeyStoreContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    protected abstract StoreUnderTest store();

    private EnrollmentKeyStore keys() {
        return store().enrollmentKeys();
    }

    /** A record as Kibana writes it (data-model §5.5), without the token itself. */
    static ObjectNode record(String apiKeyId, String policyId, String createdAt) {
        ObjectNode record = JSON.createObjectNode();
        record.put("active", true);
        record.put("api_key_id", apiKeyId);
        record.put("name", "Default (" + UUID.randomUUID() + ")");
        record.put("policy_id", policyId);
        record.put("created_at", createdAt);
        record.putArray("namespaces").add("default").add("team-a");
        record.put("hidden", false);
        return record;
    }

    @Test
    void anActiveRecordIsFoundByItsKeyIdAndById() {
        String id = UUID.randomUUID().toString();
        String keyId = "key-" + UUID.randomUUID();
        ObjectNode record = record(keyId, "policy-1", "2026-01-01T00:00:00.000Z");

        keys().create(id, record);

        assertThat(keys().findActive(keyId))
                .containsExactly(new EnrollmentKey(keyId, "policy-1", List.of("default", "team-a")));
        ObjectNode found = keys().find(id).orElseThrow();
        assertThat(found.path("id").asString()).isEqualTo(id);
        assertThat(found.path("api_key_id").asString()).isEqualTo(keyId);
        assertThat(found.path("name")).isEqualTo(record.path("name"));
        assertThat(found.path("namespaces")).isEqualTo(record.path("namespaces"));
    }

    @Test
    void anInactiveRecordIsNotFoundAsActive() {
        String id = UUID.randomUUID().toString();
        String keyId = "key-" + UUID.randomUUID();
        keys().create(id, record(keyId, "policy-1", "2026-01-01T00:00:00.000Z"));

        assertThat(keys().update(id, JSON.createObjectNode().put("active", false)))
                .isTrue();

        assertThat(keys().findActive(keyId)).isEmpty();
        assertThat(keys().find(id).orElseThrow().path("active").asBoolean()).isFalse();
        assertThat(keys().find(id).orElseThrow().path("policy_id").asString()).isEqualTo("policy-1");
    }

    @Test
    void missingRecordsAreReportedAsSuch() {
        String id = UUID.randomUUID().toString();
        assertThat(keys().find(id)).isEmpty();
        assertThat(keys().findActive("key-" + id)).isEmpty();
        assertThat(keys().update(id, JSON.createObjectNode().put("active", false)))
                .isFalse();
        assertThat(keys().delete(id)).isFalse();
    }

    @Test
    void aDeletedRecordIsGone() {
        String id = UUID.randomUUID().toString();
        String keyId = "key-" + UUID.randomUUID();
        keys().create(id, record(keyId, "policy-1", "2026-01-01T00:00:00.000Z"));

        assertThat(keys().delete(id)).isTrue();

        assertThat(keys().find(id)).isEmpty();
        assertThat(keys().findActive(keyId)).isEmpty();
    }

    @Test
    void allListsTheNewestRecordsFirst() {
        String older = UUID.randomUUID().toString();
        String newer = UUID.randomUUID().toString();
        keys().create(older, record("key-" + older, "policy-1", "2998-01-01T00:00:00.000Z"));
        keys().create(newer, record("key-" + newer, "policy-1", "2998-01-02T00:00:00.000Z"));

        List<String> ids = keys().all().stream()
                .map(record -> record.path("id").asString())
                .filter(id -> id.equals(older) || id.equals(newer))
                .toList();

        assertThat(ids).containsExactly(newer, older);
    }

    @Test
    void aPolicyExistsOnceItHasARevision() {
        String policyId = "policy-" + UUID.randomUUID();
        assertThat(keys().policyExists(policyId)).isFalse();

        store().policies().addRevision(PolicyStoreContract.revision(policyId, 1));

        assertThat(keys().policyExists(policyId)).isTrue();
    }
}
