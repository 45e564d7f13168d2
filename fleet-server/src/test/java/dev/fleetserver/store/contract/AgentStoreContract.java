package dev.fleetserver.store.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What every {@link AgentStore} does, run against each adapter. */
public abstract class AgentStoreContract {

    protected static final JsonMapper JSON = JsonMapper.builder().build();

    protected abstract StoreUnderTest store();

    private AgentStore agents() {
        return store().agents();
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    /** An agent document as enrollment writes it, plus a field only Kibana knows. */
    protected static ObjectNode agentDocument(String agentId) {
        ObjectNode document = JSON.createObjectNode();
        document.put("active", true);
        document.put("policy_id", "policy-" + agentId);
        document.put("type", "PERMANENT");
        document.put("enrolled_at", "2026-01-01T00:00:00Z");
        document.put("access_api_key_id", "key-" + agentId);
        document.put("enrollment_id", "enrollment-" + agentId);
        document.putArray("action_seq_no").add(-1);
        document.putObject("agent").put("id", agentId).put("version", "9.5.0");
        document.putArray("tags").add("web").add("tag-" + agentId);
        document.putObject("user_provided_metadata").put("team", "blue");
        return document;
    }

    @Test
    void aCreatedAgentIsFoundByIdByAccessKeyAndByEnrollmentId() {
        String id = newId();
        ObjectNode document = agentDocument(id);

        assertThat(agents().create(id, document)).isTrue();

        Agent byId = agents().findById(id).orElseThrow();
        assertThat(byId.id()).isEqualTo(id);
        assertThat(byId.source()).isEqualTo(document);
        assertThat(agents().findByAccessApiKeyId("key-" + id).orElseThrow().id())
                .isEqualTo(id);
        assertThat(agents().findByEnrollmentId("enrollment-" + id).orElseThrow().id())
                .isEqualTo(id);
    }

    @Test
    void creatingAnExistingAgentIsRefusedAndChangesNothing() {
        String id = newId();
        agents().create(id, agentDocument(id));
        ObjectNode other = agentDocument(id).put("type", "TEMPORARY");

        assertThat(agents().create(id, other)).isFalse();
        assertThat(agents().findById(id).orElseThrow().type()).isEqualTo("PERMANENT");
    }

    @Test
    void missingAgentsAreNotFound() {
        assertThat(agents().findById(newId())).isEmpty();
        assertThat(agents().findByAccessApiKeyId("key-" + newId())).isEmpty();
        assertThat(agents().findByEnrollmentId("enrollment-" + newId())).isEmpty();
    }

    @Test
    void anUpdateSetsFieldsMergesObjectsAndKeepsEverythingElse() {
        String id = newId();
        agents().create(id, agentDocument(id));
        Agent before = agents().findById(id).orElseThrow();
        ObjectNode fields = JSON.createObjectNode();
        fields.put("last_checkin_status", "online");
        fields.putObject("agent").put("version", "9.5.1");
        fields.putNull("unenrolled_at");
        fields.putArray("tags").add("db");

        assertThat(agents().update(id, fields)).isTrue();

        Agent after = agents().findById(id).orElseThrow();
        assertThat(after.lastCheckinStatus()).isEqualTo("online");
        assertThat(after.source().path("agent").path("version").asString()).isEqualTo("9.5.1");
        assertThat(after.source().path("agent").path("id").asString())
                .as("objects merge field by field")
                .isEqualTo(id);
        assertThat(after.source().get("unenrolled_at").isNull()).isTrue();
        assertThat(after.source().path("tags")).hasSize(1);
        assertThat(after.source().path("user_provided_metadata").path("team").asString())
                .isEqualTo("blue");
        assertThat(after.version()).isNotEqualTo(before.version());
    }

    @Test
    void updatingAMissingAgentReportsIt() {
        assertThat(agents().update(newId(), JSON.createObjectNode().put("active", false)))
                .isFalse();
    }

    @Test
    void modifyWritesTheEditedTreeIncludingRemovals() {
        String id = newId();
        agents().create(id, agentDocument(id).put("audit_unenrolled_reason", "uninstall"));

        boolean written = agents().modify(id, document -> {
            document.remove("audit_unenrolled_reason");
            document.withObjectProperty("outputs").putObject("default").put("api_key_id", "k1");
            return true;
        });

        assertThat(written).isTrue();
        Agent after = agents().findById(id).orElseThrow();
        assertThat(after.source().has("audit_unenrolled_reason")).isFalse();
        assertThat(after.output("default").orElseThrow().apiKeyId()).isEqualTo("k1");
        assertThat(after.source().path("user_provided_metadata").path("team").asString())
                .isEqualTo("blue");
    }

    @Test
    void modifyThatDeclinesOrFindsNoAgentWritesNothing() {
        String id = newId();
        agents().create(id, agentDocument(id));
        var before = agents().findById(id).orElseThrow();

        assertThat(agents().modify(id, document -> {
                    document.put("active", false);
                    return false;
                }))
                .isFalse();
        assertThat(agents().modify(newId(), document -> true)).isFalse();

        Agent after = agents().findById(id).orElseThrow();
        assertThat(after.active()).isTrue();
        assertThat(after.version()).isEqualTo(before.version());
    }

    @Test
    void modifyRetriesFromAFreshReadWhenTheAgentChangedMeanwhile() {
        String id = newId();
        agents().create(id, agentDocument(id));
        AtomicBoolean interfered = new AtomicBoolean();
        List<String> seen = new ArrayList<>();

        boolean written = agents().modify(id, document -> {
            seen.add(document.path("last_checkin_status").asString(""));
            if (interfered.compareAndSet(false, true)) {
                // Someone else writes between our read and our write.
                agents().update(id, JSON.createObjectNode().put("last_checkin_status", "degraded"));
            }
            document.put("policy_revision_idx", 7);
            return true;
        });

        assertThat(written).isTrue();
        assertThat(seen).containsExactly("", "degraded");
        Agent after = agents().findById(id).orElseThrow();
        assertThat(after.policyRevisionIdx()).isEqualTo(7);
        assertThat(after.lastCheckinStatus())
                .as("the concurrent change survives")
                .isEqualTo("degraded");
    }

    @Test
    void updateAllWritesEveryAgentAndSkipsMissingOnes() {
        String first = newId();
        String second = newId();
        agents().create(first, agentDocument(first));
        agents().create(second, agentDocument(second));

        agents().updateAll(
                        Map.of(
                                first,
                                JSON.createObjectNode().put("last_checkin_status", "online"),
                                second,
                                JSON.createObjectNode().put("last_checkin_status", "error"),
                                newId(),
                                JSON.createObjectNode().put("last_checkin_status", "online")),
                        true);
        agents().updateAll(Map.of(), false);

        assertThat(agents().findById(first).orElseThrow().lastCheckinStatus()).isEqualTo("online");
        assertThat(agents().findById(second).orElseThrow().lastCheckinStatus()).isEqualTo("error");
        assertThat(agents().findById(second)
                        .orElseThrow()
                        .source()
                        .path("agent")
                        .path("id")
                        .asString())
                .isEqualTo(second);
    }

    @Test
    void aDeletedAgentIsGoneAndDeletingAgainIsFine() {
        String id = newId();
        agents().create(id, agentDocument(id));

        agents().delete(id);
        agents().delete(id);

        assertThat(agents().findById(id)).isEmpty();
        assertThat(agents().findByAccessApiKeyId("key-" + id)).isEmpty();
    }

    @Test
    void idsWhereMatchesValuesNestedFieldsAndArrayElements() {
        String id = newId();
        agents().create(id, agentDocument(id));

        assertThat(agents().idsWhere("policy_id", "policy-" + id)).containsExactly(id);
        assertThat(agents().idsWhere("agent.id", id)).containsExactly(id);
        assertThat(agents().idsWhere("tags", "tag-" + id)).containsExactly(id);
        assertThat(agents().idsWhere("policy_id", "policy-" + newId())).isEmpty();
    }

    @Test
    void forEachAgentSeesEveryAgentWrittenBefore() {
        List<String> ours = List.of(newId(), newId(), newId());
        ours.forEach(id -> agents().create(id, agentDocument(id)));
        List<String> seen = new ArrayList<>();

        agents().forEachAgent(agent -> seen.add(agent.id()));

        assertThat(seen).containsAll(ours).doesNotHaveDuplicates();
    }
}
