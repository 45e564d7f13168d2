package dev.fleetserver.store.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.policy.PolicyDocument;
import dev.fleetserver.policy.PolicyStore;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What every {@link PolicyStore} and its {@link dev.fleetserver.policy.PolicyFeed} do, run against each adapter. */
public abstract class PolicyStoreContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    protected abstract StoreUnderTest store();

    private PolicyStore policies() {
        return store().policies();
    }

    private static String newPolicyId() {
        return "policy-" + UUID.randomUUID();
    }

    /** A revision document as Kibana writes it (data-model §5.2); numbers as they read back from JSON. */
    static ObjectNode revision(String policyId, int revision) {
        ObjectNode document = JSON.createObjectNode();
        document.put("@timestamp", "2026-01-0" + Math.min(9, revision) + "T10:00:00.000Z");
        document.put("policy_id", policyId);
        document.put("revision_idx", revision);
        document.put("coordinator_idx", 0);
        ObjectNode data = document.putObject("data");
        data.put("id", policyId);
        data.put("revision", revision);
        data.putObject("outputs").putObject("default").put("type", "elasticsearch");
        return document;
    }

    @Test
    void theLatestRevisionIsTheHighestWhateverTheOrderOfWriting() {
        String policyId = newPolicyId();
        assertThat(policies().addRevision(revision(policyId, 2))).isTrue();
        assertThat(policies().addRevision(revision(policyId, 1))).isTrue();

        PolicyDocument latest = policies().latest(policyId).orElseThrow();

        assertThat(latest.policyId()).isEqualTo(policyId);
        assertThat(latest.revisionIdx()).isEqualTo(2);
        assertThat(latest.timestamp()).isEqualTo("2026-01-02T10:00:00.000Z");
        assertThat(latest.data().path("revision").asLong()).isEqualTo(2);
        assertThat(policies().latestDocument(policyId).orElseThrow()).isEqualTo(revision(policyId, 2));
    }

    @Test
    void aRevisionThatExistsIsRefused() {
        String policyId = newPolicyId();
        policies().addRevision(revision(policyId, 1));

        assertThat(policies().addRevision(revision(policyId, 1).put("coordinator_idx", 1)))
                .isFalse();
        assertThat(policies()
                        .latestDocument(policyId)
                        .orElseThrow()
                        .path("coordinator_idx")
                        .asInt())
                .isZero();
    }

    @Test
    void anUnknownPolicyHasNoRevision() {
        assertThat(policies().latest(newPolicyId())).isEmpty();
        assertThat(policies().latestDocument(newPolicyId())).isEmpty();
    }

    @Test
    void latestDocumentsHoldsTheNewestRevisionOfEachPolicy() {
        String first = newPolicyId();
        String second = newPolicyId();
        policies().addRevision(revision(first, 1));
        policies().addRevision(revision(first, 3));
        policies().addRevision(revision(second, 1));

        List<ObjectNode> latest = policies().latestDocuments().stream()
                .filter(document -> List.of(first, second)
                        .contains(document.path("policy_id").asString()))
                .toList();

        assertThat(latest).containsExactlyInAnyOrder(revision(first, 3), revision(second, 1));
    }

    @Test
    void deletingAPolicyDeletesEveryRevision() {
        String policyId = newPolicyId();
        policies().addRevision(revision(policyId, 1));
        policies().addRevision(revision(policyId, 2));

        assertThat(policies().deleteRevisions(policyId)).isEqualTo(2);

        assertThat(policies().latest(policyId)).isEmpty();
        assertThat(policies().deleteRevisions(policyId)).isZero();
        assertThat(policies().addRevision(revision(policyId, 1)))
                .as("the revision can be written again")
                .isTrue();
    }

    @Test
    void aNewRevisionReachesTheFeedInOrder() {
        String policyId = newPolicyId();

        policies().addRevision(revision(policyId, 1));
        policies().addRevision(revision(policyId, 2));

        List<Long> delivered = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> store().deliveredRevisions().stream()
                                .filter(document -> document.policyId().equals(policyId))
                                .map(PolicyDocument::revisionIdx)
                                .toList(),
                        revisions -> revisions.size() >= 2);
        assertThat(delivered).containsExactly(1L, 2L);
        PolicyDocument second = store().deliveredRevisions().stream()
                .filter(document -> document.policyId().equals(policyId) && document.revisionIdx() == 2)
                .findFirst()
                .orElseThrow();
        assertThat(second.timestamp()).isEqualTo("2026-01-02T10:00:00.000Z");
        assertThat(second.data()).isEqualTo(revision(policyId, 2).path("data"));
    }
}
