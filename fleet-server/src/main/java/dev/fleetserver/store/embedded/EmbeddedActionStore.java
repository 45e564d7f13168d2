package dev.fleetserver.store.embedded;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionFeed;
import dev.fleetserver.action.ActionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Actions in the {@code actions} table, whose {@code AUTOINCREMENT} position plays the part of {@code _seq_no}
 * (ack tokens resolve to it), and results in {@code action_results} under {@code <action_id>:<agent_id>}. An
 * action's target agents are kept beside its document (so a pending read never parses a list of thousands of
 * agents) and in an indexed side table for pending reads per agent. Only actions whose {@code expiration} lies
 * ahead are delivered; one without {@code expiration} never is (data-model §5.3).
 */
final class EmbeddedActionStore implements ActionStore, ActionFeed {

    private static final int IN_LIST = 500;

    private final EmbeddedDatabase database;
    private final Clock clock;
    private final CommitFeed<ActionDocument> feed;

    EmbeddedActionStore(EmbeddedDatabase database, int fetchSize, Clock clock) {
        this.database = database;
        this.clock = clock;
        this.feed = new CommitFeed<>(database, "actions", this::newActions, fetchSize);
    }

    @Override
    public List<ActionDocument> pendingFor(String agentId, long after, long upTo, int limit) {
        if (upTo <= after) {
            return List.of();
        }
        long now = clock.millis();
        return database.read("read pending actions", c -> {
            try (PreparedStatement query = c.prepareStatement("""
                    SELECT a.position, a.id, a.doc FROM action_agents t JOIN actions a ON a.position = t.position
                    WHERE t.agent_id = ? AND t.position > ? AND t.position <= ? AND a.expiration_ms > ?
                    ORDER BY t.position LIMIT ?""")) {
                query.setString(1, agentId);
                query.setLong(2, after);
                query.setLong(3, upTo);
                query.setLong(4, now);
                query.setInt(5, limit);
                List<ActionDocument> documents = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        documents.add(
                                new ActionDocument(rows.getString(2), rows.getLong(1), Json.object(rows.getString(3))));
                    }
                }
                return documents;
            }
        });
    }

    @Override
    public OptionalLong positionOf(String documentId) {
        return database.read("resolve an ack token", c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT position FROM actions WHERE id = ?")) {
                query.setString(1, documentId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
                }
            }
        });
    }

    @Override
    public Optional<ActionDocument> findByActionId(String actionId) {
        return database.read("look up action " + actionId, c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT position, id, doc FROM actions WHERE action_id = ? ORDER BY position LIMIT 1")) {
                query.setString(1, actionId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next()
                            ? Optional.of(new ActionDocument(
                                    rows.getString(2), rows.getLong(1), Json.object(rows.getString(3))))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public void storeResult(String actionId, String agentId, ObjectNode result) {
        String json = Json.write(result);
        String actionField = result.path("action_id").asString(actionId);
        String agentField = result.path("agent_id").asString(agentId);
        Long timestamp = Dates.epochMillis(result.get("@timestamp"));
        database.write("store the result of action " + actionId, tx -> {
            // A repeated ack finds its result stored and changes nothing.
            try (PreparedStatement insert = tx.connection()
                    .prepareStatement(
                            "INSERT OR IGNORE INTO action_results (id, action_id, agent_id, timestamp_ms, doc)"
                                    + " VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, actionId + ":" + agentId);
                insert.setString(2, actionField);
                insert.setString(3, agentField);
                setNullableLong(insert, 4, timestamp);
                insert.setString(5, json);
                return insert.executeUpdate();
            }
        });
    }

    @Override
    public long deleteExpiredBefore(String age) {
        long cutoff = Dates.before(age, clock.instant());
        return database.write("delete expired actions", tx -> {
            Connection c = tx.connection();
            try (PreparedStatement targets = c.prepareStatement(
                    "DELETE FROM action_agents WHERE position IN (SELECT position FROM actions WHERE expiration_ms <= ?)")) {
                targets.setLong(1, cutoff);
                targets.executeUpdate();
            }
            try (PreparedStatement actions = c.prepareStatement("DELETE FROM actions WHERE expiration_ms <= ?")) {
                actions.setLong(1, cutoff);
                return (long) actions.executeUpdate();
            }
        });
    }

    @Override
    public ActionDocument create(ObjectNode source) {
        String id = UUID.randomUUID().toString();
        ObjectNode document = source.deepCopy();
        JsonNode agents = document.remove("agents");
        List<String> targets = new ArrayList<>();
        if (agents != null && agents.isArray()) {
            agents.forEach(agent -> targets.add(agent.asString()));
        } else if (agents != null && agents.isString()) {
            targets.add(agents.asString());
        }
        String doc = Json.write(document);
        String agentsJson = agents == null ? null : Json.write(agents);
        String actionId =
                source.path("action_id").isString() ? source.path("action_id").asString() : null;
        Long timestamp = Dates.epochMillis(source.get("@timestamp"));
        Long expiration = Dates.epochMillis(source.get("expiration"));
        long position = database.write("store an action", tx -> {
            Connection c = tx.connection();
            long stored;
            try (PreparedStatement insert =
                    c.prepareStatement("INSERT INTO actions (id, action_id, timestamp_ms, expiration_ms, doc, agents)"
                            + " VALUES (?, ?, ?, ?, ?, ?) RETURNING position")) {
                insert.setString(1, id);
                insert.setString(2, actionId);
                setNullableLong(insert, 3, timestamp);
                setNullableLong(insert, 4, expiration);
                insert.setString(5, doc);
                insert.setString(6, agentsJson);
                try (ResultSet inserted = insert.executeQuery()) {
                    inserted.next();
                    stored = inserted.getLong(1);
                }
            }
            try (PreparedStatement target =
                    c.prepareStatement("INSERT OR IGNORE INTO action_agents (agent_id, position) VALUES (?, ?)")) {
                for (String agent : targets) {
                    target.setString(1, agent);
                    target.setLong(2, stored);
                    target.addBatch();
                }
                target.executeBatch();
            }
            tx.afterCommit(() -> feed.committed(stored));
            return stored;
        });
        return new ActionDocument(id, position, source);
    }

    @Override
    public List<ActionDocument> newest(int limit) {
        return database.read("list actions", c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT position, id, doc, agents FROM actions ORDER BY timestamp_ms DESC, position DESC LIMIT ?")) {
                query.setInt(1, limit);
                List<ActionDocument> documents = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        documents.add(withAgents(rows));
                    }
                }
                return documents;
            }
        });
    }

    @Override
    public List<ObjectNode> resultsOf(Collection<String> actionIds) {
        if (actionIds.isEmpty()) {
            return List.of();
        }
        List<String> ids = List.copyOf(actionIds);
        return database.read("read action results", c -> {
            List<ObjectNode> results = new ArrayList<>();
            for (int from = 0; from < ids.size(); from += IN_LIST) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST));
                String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement query = c.prepareStatement("SELECT doc FROM action_results WHERE action_id IN ("
                        + marks + ") ORDER BY timestamp_ms DESC, agent_id")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        query.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rows = query.executeQuery()) {
                        while (rows.next()) {
                            results.add(Json.object(rows.getString(1)));
                        }
                    }
                }
            }
            return results;
        });
    }

    @Override
    public void follow(Consumer<List<ActionDocument>> consumer) {
        feed.follow(consumer);
    }

    @Override
    public long position() {
        return feed.position();
    }

    @Override
    public String generation() {
        return database.generation();
    }

    @Override
    public boolean isBeyondEnd(long position) {
        if (position <= feed.committedPosition()) {
            return false;
        }
        // The feed may not have been told of a commit yet: ask the database before saying yes.
        return database.read("read the end of the actions", c -> {
            try (PreparedStatement query =
                            c.prepareStatement("SELECT seq FROM sqlite_sequence WHERE name = 'actions'");
                    ResultSet rows = query.executeQuery()) {
                return position > (rows.next() ? rows.getLong(1) : 0);
            }
        });
    }

    private CommitFeed.Page<ActionDocument> newActions(Connection c, long after, long upTo, int limit)
            throws SQLException {
        long now = clock.millis();
        try (PreparedStatement query = c.prepareStatement("SELECT position, id, doc, agents, expiration_ms FROM actions"
                + " WHERE position > ? AND position <= ? ORDER BY position LIMIT ?")) {
            query.setLong(1, after);
            query.setLong(2, upTo);
            query.setInt(3, limit);
            List<ActionDocument> documents = new ArrayList<>();
            long last = -1;
            int count = 0;
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    count++;
                    last = rows.getLong(1);
                    long expiration = rows.getLong(5);
                    if (!rows.wasNull() && expiration > now) {
                        documents.add(withAgents(rows));
                    }
                }
            }
            return new CommitFeed.Page<>(documents, last, count);
        }
    }

    private static ActionDocument withAgents(ResultSet row) throws SQLException {
        ObjectNode source = Json.object(row.getString("doc"));
        String agents = row.getString("agents");
        if (agents != null) {
            source.set("agents", Json.tree(agents));
        }
        return new ActionDocument(row.getString("id"), row.getLong("position"), source);
    }

    private static void setNullableLong(PreparedStatement statement, int index, @Nullable Long value)
            throws SQLException {
        if (value == null) {
            statement.setNull(index, java.sql.Types.INTEGER);
        } else {
            statement.setLong(index, value);
        }
    }
}
