package dev.fleetserver.store.embedded;

import dev.fleetserver.policy.PolicyDocument;
import dev.fleetserver.policy.PolicyFeed;
import dev.fleetserver.policy.PolicyStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * Policy revisions in the {@code policies} table (one row per revision, the document as in
 * {@code .fleet-policies}), unique per policy and revision; new revisions reach the feed right after their
 * commit.
 */
final class EmbeddedPolicyStore implements PolicyStore, PolicyFeed {

    private final EmbeddedDatabase database;
    private final CommitFeed<PolicyDocument> feed;

    EmbeddedPolicyStore(EmbeddedDatabase database, int fetchSize) {
        this.database = database;
        this.feed = new CommitFeed<>(database, "policies", EmbeddedPolicyStore::newRevisions, fetchSize);
    }

    @Override
    public Optional<PolicyDocument> latest(String policyId) {
        return latestDocument(policyId).map(PolicyDocument::of);
    }

    @Override
    public Optional<ObjectNode> latestDocument(String policyId) {
        return database.read("read policy " + policyId, c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT doc FROM policies WHERE policy_id = ? ORDER BY revision_idx DESC LIMIT 1")) {
                query.setString(1, policyId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(Json.object(rows.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<ObjectNode> latestDocuments() {
        return database.read("list policies", c -> {
            try (PreparedStatement query = c.prepareStatement("""
                    SELECT p.doc FROM policies p
                    JOIN (SELECT policy_id, max(revision_idx) AS revision_idx FROM policies GROUP BY policy_id) latest
                      ON latest.policy_id = p.policy_id AND latest.revision_idx = p.revision_idx""")) {
                List<ObjectNode> documents = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        documents.add(Json.object(rows.getString(1)));
                    }
                }
                return documents;
            }
        });
    }

    @Override
    public boolean addRevision(ObjectNode document) {
        String policyId = document.path("policy_id").asString("");
        long revision = document.path("revision_idx").asLong(0);
        String json = Json.write(document);
        return database.write("write policy " + policyId, tx -> {
            try (PreparedStatement insert = tx.connection()
                    .prepareStatement("INSERT OR IGNORE INTO policies (policy_id, revision_idx, doc) VALUES (?, ?, ?)"
                            + " RETURNING position")) {
                insert.setString(1, policyId);
                insert.setLong(2, revision);
                insert.setString(3, json);
                try (ResultSet inserted = insert.executeQuery()) {
                    if (!inserted.next()) {
                        return false; // that revision exists
                    }
                    long position = inserted.getLong(1);
                    tx.afterCommit(() -> feed.committed(position));
                    return true;
                }
            }
        });
    }

    @Override
    public long deleteRevisions(String policyId) {
        return database.write("delete policy " + policyId, tx -> {
            try (PreparedStatement delete =
                    tx.connection().prepareStatement("DELETE FROM policies WHERE policy_id = ?")) {
                delete.setString(1, policyId);
                return (long) delete.executeUpdate();
            }
        });
    }

    @Override
    public void follow(Consumer<List<PolicyDocument>> consumer) {
        feed.follow(consumer);
    }

    private static CommitFeed.Page<PolicyDocument> newRevisions(Connection c, long after, long upTo, int limit)
            throws SQLException {
        try (PreparedStatement query = c.prepareStatement(
                "SELECT position, doc FROM policies WHERE position > ? AND position <= ? ORDER BY position LIMIT ?")) {
            query.setLong(1, after);
            query.setLong(2, upTo);
            query.setInt(3, limit);
            List<PolicyDocument> documents = new ArrayList<>();
            long last = -1;
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    last = rows.getLong(1);
                    documents.add(PolicyDocument.of(Json.object(rows.getString(2))));
                }
            }
            return new CommitFeed.Page<>(documents, last, documents.size());
        }
    }
}
