package dev.fleetserver.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.auth.ApiKey;
import dev.fleetserver.auth.ApiKeyException;
import dev.fleetserver.store.StoreUnavailableException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What only the embedded store has: a file that outlives the process, its lock, its schema, and its feeds' start. */
class EmbeddedStoreTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path directory;

    @Test
    void everythingWrittenIsThereAfterTheStoreIsClosedAndOpenedAgain() {
        EmbeddedFixture store = EmbeddedFixture.open(directory);
        String generation = store.actionFeed().generation();
        String agentId = UUID.randomUUID().toString();
        ObjectNode agent = JSON.createObjectNode().put("active", true).put("access_api_key_id", "key-1");
        store.agents().create(agentId, agent);
        store.agents().updateAll(Map.of(agentId, JSON.createObjectNode().put("last_checkin_status", "online")), false);
        store.policies().addRevision(revision("policy-1", 1));
        ActionDocument action = store.actions().create(action(List.of(agentId)));
        store.actions()
                .storeResult(action.actionId(), agentId, JSON.createObjectNode().put("action_id", action.actionId()));
        store.enrollmentKeys()
                .create(
                        "record-1",
                        JSON.createObjectNode()
                                .put("active", true)
                                .put("api_key_id", "ek-1")
                                .put("policy_id", "policy-1"));
        CreatedApiKey key = store.apiKeys().create("agent", JSON.createObjectNode(), JSON.createObjectNode());
        CreatedApiKey revoked = store.apiKeys().create("old", JSON.createObjectNode(), JSON.createObjectNode());
        store.apiKeys().invalidate(List.of(revoked.id()));
        String secret = store.putSecret("s3cr3t-value");
        store.outputHealth().report("remote", true, "");

        EmbeddedFixture reopened = store.reopen();
        try {
            assertThat(reopened.agents().findById(agentId).orElseThrow().lastCheckinStatus())
                    .isEqualTo("online");
            assertThat(reopened.agents().findByAccessApiKeyId("key-1")).isPresent();
            assertThat(reopened.policies().latest("policy-1").orElseThrow().revisionIdx())
                    .isEqualTo(1);
            assertThat(reopened.actions().positionOf(action.documentId())).hasValue(action.seqNo());
            assertThat(reopened.actions()
                            .pendingFor(agentId, -1, reopened.actionFeed().position(), 10))
                    .extracting(ActionDocument::documentId)
                    .containsExactly(action.documentId());
            assertThat(reopened.actions().resultsOf(List.of(action.actionId()))).hasSize(1);
            assertThat(reopened.enrollmentKeys().findActive("ek-1")).hasSize(1);
            assertThat(reopened.verifier()
                            .verify(new ApiKey(key.id(), key.secret()))
                            .id())
                    .isEqualTo(key.id());
            assertThatThrownBy(() -> reopened.verifier().verify(new ApiKey(revoked.id(), revoked.secret())))
                    .isInstanceOf(ApiKeyException.class);
            assertThat(reopened.secrets().read(List.of(secret))).containsEntry(secret, "s3cr3t-value");
            assertThat(reopened.outputHealthStates("remote")).containsExactly("HEALTHY");
            assertThat(reopened.actionFeed().generation()).isEqualTo(generation);
            assertThat(reopened.actionFeed().position())
                    .as("the feed starts at the end")
                    .isEqualTo(action.seqNo());
            assertThat(reopened.actions().create(action(List.of(agentId))).seqNo())
                    .isGreaterThan(action.seqNo());
        } finally {
            reopened.close();
        }
    }

    @Test
    void aNewDataDirectoryIsPrivateToTheServersUser() throws Exception {
        Path data = directory.resolve("new-data");
        EmbeddedFixture.open(data).close();

        assertThat(java.nio.file.Files.getPosixFilePermissions(data))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void positionsAreNeverReusedAfterDeletes() {
        try (EmbeddedFixture store = EmbeddedFixture.open(directory)) {
            ActionDocument expired =
                    store.actions().create(action(List.of("a")).put("expiration", "2000-01-01T00:00:00Z"));
            store.actions().deleteExpiredBefore("1d");
            ActionDocument next = store.actions().create(action(List.of("a")));

            assertThat(next.seqNo()).isGreaterThan(expired.seqNo());
            assertThat(store.actionFeed().isBeyondEnd(next.seqNo())).isFalse();
        }
    }

    @Test
    void aNewDatabaseIsANewGeneration() {
        String first;
        try (EmbeddedFixture store = EmbeddedFixture.open(directory.resolve("one"))) {
            first = store.actionFeed().generation();
        }
        try (EmbeddedFixture store = EmbeddedFixture.open(directory.resolve("two"))) {
            assertThat(store.actionFeed().generation()).isNotBlank().isNotEqualTo(first);
        }
    }

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefusedUntilTheFirstCloses() {
        EmbeddedFixture first = EmbeddedFixture.open(directory);

        assertThatThrownBy(() -> EmbeddedFixture.open(directory))
                .isInstanceOfSatisfying(StoreUnavailableException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreUnavailableException.Reason.INCOMPATIBLE);
                    assertThat(e.getMessage()).contains("in use by another Fleet Server process");
                });

        first.close();
        EmbeddedFixture.open(directory).close();
    }

    @Test
    void aDatabaseFromANewerServerIsRefused() throws Exception {
        EmbeddedFixture.open(directory).close();
        try (Connection c =
                        DriverManager.getConnection("jdbc:sqlite:" + directory.resolve(EmbeddedDatabase.FILE_NAME));
                Statement sql = c.createStatement()) {
            sql.execute("PRAGMA user_version = 99");
        }

        assertThatThrownBy(() -> EmbeddedFixture.open(directory))
                .isInstanceOfSatisfying(StoreUnavailableException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreUnavailableException.Reason.INCOMPATIBLE);
                    assertThat(e.getMessage()).contains("newer Fleet Server");
                });
    }

    @Test
    void theDatabaseIsInWalModeAndTheWriterSyncsEveryCommit() {
        try (EmbeddedFixture store = EmbeddedFixture.open(directory)) {
            String journal = store.database.read("read the journal mode", c -> pragma(c, "journal_mode"));
            String synchronous =
                    store.database.write("read the sync mode", tx -> pragma(tx.connection(), "synchronous"));

            assertThat(journal).isEqualTo("wal");
            assertThat(synchronous).as("2 is FULL").isEqualTo("2");
        }
    }

    private static String pragma(Connection connection, String name) throws java.sql.SQLException {
        try (Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("PRAGMA " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }

    @Test
    void beforeItOpensAndAfterItClosesTheStoreIsUnavailable() {
        EmbeddedDatabase database = new EmbeddedDatabase(directory, EmbeddedDatabase.Settings.defaults());
        EmbeddedAgentStore agents = new EmbeddedAgentStore(database);

        assertThatThrownBy(() -> agents.findById("a"))
                .isInstanceOfSatisfying(
                        StoreUnavailableException.class,
                        e -> assertThat(e.getMessage()).contains("not open yet"));
        database.open();
        database.close();
        assertThatThrownBy(() -> agents.create("a", JSON.createObjectNode()))
                .isInstanceOfSatisfying(
                        StoreUnavailableException.class,
                        e -> assertThat(e.getMessage()).contains("closed"));
    }

    @Test
    void enrollmentRecordsNeverKeepTheToken() {
        try (EmbeddedFixture store = EmbeddedFixture.open(directory)) {
            CreatedApiKey key = store.apiKeys().create("enroll", JSON.createObjectNode(), JSON.createObjectNode());
            ObjectNode record = JSON.createObjectNode()
                    .put("active", true)
                    .put("api_key_id", key.id())
                    .put("api_key", key.token())
                    .put("policy_id", "policy-1");

            store.enrollmentKeys().create("record-1", record);
            store.enrollmentKeys().update("record-1", JSON.createObjectNode().put("api_key", key.token()));

            assertThat(store.enrollmentKeys().find("record-1").orElseThrow().has("api_key"))
                    .isFalse();
            String raw = store.database.read("read the raw record", c -> {
                try (Statement sql = c.createStatement();
                        ResultSet rows = sql.executeQuery("SELECT doc FROM enrollment_keys")) {
                    rows.next();
                    return rows.getString(1);
                }
            });
            assertThat(raw)
                    .doesNotContain(key.secret())
                    .doesNotContain(key.token())
                    .contains(key.id());
        }
    }

    @Test
    void theFeedsDeliverOnlyWhatIsWrittenAfterTheyAreFollowed() {
        try (EmbeddedFixture store = EmbeddedFixture.open(directory)) {
            store.policies().addRevision(revision("before", 1));
            await().until(() -> store.deliveredRevisions().size() == 1);
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            ActionDocument before = store.actions().create(action(List.of("agent")));

            store.actions.follow(documents -> documents.forEach(d -> seen.add(d.documentId())));
            assertThat(store.actionFeed().position()).isGreaterThanOrEqualTo(before.seqNo());
            ActionDocument after = store.actions().create(action(List.of("agent")));

            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(after.documentId()));
            assertThat(seen).containsExactly(after.documentId());
        }
    }

    private static ObjectNode revision(String policyId, int revision) {
        ObjectNode document = JSON.createObjectNode();
        document.put("policy_id", policyId);
        document.put("revision_idx", revision);
        document.putObject("data").put("id", policyId);
        return document;
    }

    private static ObjectNode action(List<String> agents) {
        ObjectNode document = JSON.createObjectNode();
        document.put("action_id", UUID.randomUUID().toString());
        document.put("type", "SETTINGS");
        document.put("@timestamp", Instant.now().toString());
        document.put("expiration", Instant.now().plus(Duration.ofHours(1)).toString());
        agents.forEach(document.putArray("agents")::add);
        return document;
    }
}
