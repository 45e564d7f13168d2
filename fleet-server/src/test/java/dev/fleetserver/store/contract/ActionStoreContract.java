package dev.fleetserver.store.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionFeed;
import dev.fleetserver.action.ActionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What every {@link ActionStore} and its {@link ActionFeed} do, run against each adapter. */
public abstract class ActionStoreContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    protected abstract StoreUnderTest store();

    private ActionStore actions() {
        return store().actions();
    }

    private ActionFeed feed() {
        return store().actionFeed();
    }

    private static String newAgentId() {
        return UUID.randomUUID().toString();
    }

    /** An action as Kibana writes it (data-model §5.3), expiring in an hour. */
    private static ObjectNode action(String type, List<String> agents, Consumer<ObjectNode> edit) {
        ObjectNode document = JSON.createObjectNode();
        document.put("action_id", UUID.randomUUID().toString());
        document.put("type", type);
        document.put("@timestamp", Instant.now().toString());
        document.put("expiration", Instant.now().plus(Duration.ofHours(1)).toString());
        agents.forEach(document.putArray("agents")::add);
        document.putObject("data").put("log_level", "debug");
        document.putArray("namespaces").add("default");
        edit.accept(document);
        return document;
    }

    private static ObjectNode action(List<String> agents) {
        return action("SETTINGS", agents, document -> {});
    }

    private static ObjectNode withoutAgents(ObjectNode document) {
        ObjectNode copy = document.deepCopy();
        copy.remove("agents");
        return copy;
    }

    @Test
    void aCreatedActionHasAnIdAndAPositionAndIsFoundWithoutItsAgents() {
        String agent = newAgentId();
        ObjectNode source = action(List.of(agent));

        ActionDocument created = actions().create(source);

        assertThat(created.documentId()).isNotBlank();
        assertThat(created.source()).isEqualTo(source);
        assertThat(created.agents()).containsExactly(agent);
        assertThat(actions().positionOf(created.documentId())).hasValue(created.seqNo());
        ActionDocument found = actions().findByActionId(created.actionId()).orElseThrow();
        assertThat(found.documentId()).isEqualTo(created.documentId());
        assertThat(found.seqNo()).isEqualTo(created.seqNo());
        assertThat(found.source()).isEqualTo(withoutAgents(source));
    }

    @Test
    void laterActionsHaveHigherPositions() {
        ActionDocument first = actions().create(action(List.of(newAgentId())));
        ActionDocument second = actions().create(action(List.of(newAgentId())));

        assertThat(second.seqNo()).isGreaterThan(first.seqNo());
    }

    @Test
    void unknownActionsAndTokensAreNotFound() {
        assertThat(actions().positionOf(UUID.randomUUID().toString())).isEmpty();
        assertThat(actions().findByActionId(UUID.randomUUID().toString())).isEmpty();
    }

    @Test
    void pendingActionsAreTheAgentsUnexpiredOnesInTheRangeOldestFirstWithoutAgents() {
        String agent = newAgentId();
        String other = newAgentId();
        ActionDocument before = actions().create(action(List.of(agent)));
        ActionDocument first = actions().create(action(List.of(other, agent)));
        actions().create(action(List.of(other)));
        actions().create(action("SETTINGS", List.of(agent), a -> a.remove("expiration")));
        actions()
                .create(action(
                        "SETTINGS",
                        List.of(agent),
                        a -> a.put("expiration", Instant.now().minusSeconds(60).toString())));
        ActionDocument second = actions().create(action("UPGRADE", List.of(agent), a -> {}));
        ActionDocument third = actions().create(action(List.of(agent)));
        long end = awaitFeedPosition(third.seqNo());

        List<ActionDocument> pending = actions().pendingFor(agent, before.seqNo(), end, 100);

        assertThat(pending)
                .extracting(ActionDocument::documentId)
                .containsExactly(first.documentId(), second.documentId(), third.documentId());
        assertThat(pending.getFirst().source()).isEqualTo(withoutAgents(first.source()));
        assertThat(actions().pendingFor(agent, before.seqNo(), end, 2)).hasSize(2);
        assertThat(actions().pendingFor(agent, before.seqNo(), second.seqNo(), 100))
                .extracting(ActionDocument::documentId)
                .containsExactly(first.documentId(), second.documentId());
        assertThat(actions().pendingFor(agent, end, end, 100)).isEmpty();
        assertThat(actions().pendingFor(agent, third.seqNo(), first.seqNo(), 100))
                .isEmpty();
    }

    @Test
    void aResultIsStoredOnceUnderActionAndAgent() {
        String agent = newAgentId();
        ActionDocument created = actions().create(action(List.of(agent)));
        ObjectNode result = JSON.createObjectNode();
        result.put("action_id", created.actionId());
        result.put("agent_id", agent);
        result.put("@timestamp", Instant.now().toString());

        actions().storeResult(created.actionId(), agent, result);
        actions().storeResult(created.actionId(), agent, result.deepCopy().put("error", "second try"));

        List<ObjectNode> results = actions().resultsOf(List.of(created.actionId()));
        assertThat(results).containsExactly(result);
    }

    @Test
    void resultsOfSeveralActionsAreAllReturnedNewestFirst() {
        String first = newAgentId();
        String second = newAgentId();
        ActionDocument one = actions().create(action(List.of(first, second)));
        ActionDocument two = actions().create(action(List.of(first)));
        ObjectNode older = result(one.actionId(), first, "2026-01-01T00:00:00Z");
        ObjectNode newer = result(one.actionId(), second, "2026-01-02T00:00:00Z");
        ObjectNode newest = result(two.actionId(), first, "2026-01-03T00:00:00Z");
        actions().storeResult(one.actionId(), first, older);
        actions().storeResult(one.actionId(), second, newer);
        actions().storeResult(two.actionId(), first, newest);

        assertThat(actions().resultsOf(List.of(one.actionId(), two.actionId()))).containsExactly(newest, newer, older);
        assertThat(actions().resultsOf(List.of(UUID.randomUUID().toString()))).isEmpty();
        assertThat(actions().resultsOf(List.of())).isEmpty();
    }

    private static ObjectNode result(String actionId, String agentId, String timestamp) {
        ObjectNode result = JSON.createObjectNode();
        result.put("action_id", actionId);
        result.put("agent_id", agentId);
        result.put("@timestamp", timestamp);
        return result;
    }

    @Test
    void onlyActionsExpiredLongerThanTheAgeAreDeleted() {
        String agent = newAgentId();
        Instant now = Instant.now();
        ActionDocument old = actions()
                .create(action(
                        "SETTINGS",
                        List.of(agent),
                        a -> a.put("expiration", now.minus(Duration.ofDays(2)).toString())));
        ActionDocument recent = actions()
                .create(action(
                        "SETTINGS",
                        List.of(agent),
                        a -> a.put("expiration", now.minus(Duration.ofHours(1)).toString())));
        ActionDocument live = actions().create(action(List.of(agent)));
        ActionDocument forever = actions().create(action("SETTINGS", List.of(agent), a -> a.remove("expiration")));

        long deleted = actions().deleteExpiredBefore("1d");

        assertThat(deleted).isGreaterThanOrEqualTo(1);
        assertThat(actions().positionOf(old.documentId())).isEmpty();
        assertThat(actions().positionOf(recent.documentId())).isPresent();
        assertThat(actions().positionOf(live.documentId())).isPresent();
        assertThat(actions().positionOf(forever.documentId())).isPresent();
    }

    @Test
    void newestListsTheNewestActionsFirstWithTheirAgents() {
        String agent = newAgentId();
        // Far in the future, so that actions of other tests on a shared store do not come first.
        ActionDocument older =
                actions().create(action("SETTINGS", List.of(agent), a -> a.put("@timestamp", "2999-01-01T00:00:00Z")));
        ActionDocument newer =
                actions().create(action("SETTINGS", List.of(agent), a -> a.put("@timestamp", "2999-01-02T00:00:00Z")));

        List<ActionDocument> newest = actions().newest(2);

        assertThat(newest)
                .extracting(ActionDocument::documentId)
                .containsExactly(newer.documentId(), older.documentId());
        assertThat(newest.getFirst().agents()).containsExactly(agent);
        assertThat(newest.getFirst().seqNo()).isEqualTo(newer.seqNo());
    }

    @Test
    void newActionsReachTheFeedWithTheirAgentsAndExpiredOnesDoNot() {
        String agent = newAgentId();
        ActionDocument expired = actions()
                .create(action(
                        "SETTINGS",
                        List.of(agent),
                        a -> a.put("expiration", Instant.now().minusSeconds(60).toString())));
        ActionDocument live = actions().create(action(List.of(agent, newAgentId())));

        List<ActionDocument> delivered = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> store().deliveredActions().stream()
                                .filter(document -> document.agents().contains(agent))
                                .toList(),
                        documents -> !documents.isEmpty());

        assertThat(delivered).extracting(ActionDocument::documentId).containsExactly(live.documentId());
        assertThat(delivered.getFirst().seqNo()).isEqualTo(live.seqNo());
        assertThat(delivered.getFirst().source()).isEqualTo(live.source());
        assertThat(feed().position()).isGreaterThanOrEqualTo(live.seqNo());
        assertThat(expired.seqNo()).isLessThan(live.seqNo());
    }

    @Test
    void theFeedKnowsItsGenerationAndWhereTheEndIs() {
        ActionDocument created = actions().create(action(List.of(newAgentId())));
        long position = awaitFeedPosition(created.seqNo());

        assertThat(feed().generation()).isNotBlank();
        assertThat(feed().isBeyondEnd(created.seqNo())).isFalse();
        assertThat(feed().isBeyondEnd(position + 1_000_000)).isTrue();
    }

    private long awaitFeedPosition(long seqNo) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> feed().position(), position -> position >= seqNo);
    }
}
