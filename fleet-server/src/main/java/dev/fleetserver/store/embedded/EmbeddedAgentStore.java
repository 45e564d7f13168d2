package dev.fleetserver.store.embedded;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.agent.DocumentVersion;
import dev.fleetserver.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Agent documents in the {@code agents} table: the whole JSON document plus a version that every write bumps.
 * Every write is visible to every read once it returns (no refresh to wait for). Partial updates are merged as
 * Elasticsearch merges them, on the writer thread; {@link #modify} edits a copy on the caller's thread and
 * writes it only if the version is unchanged, retrying from a fresh read otherwise.
 */
final class EmbeddedAgentStore implements AgentStore {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedAgentStore.class);
    private static final int CONFLICT_RETRIES = 10;
    private static final int SCAN_PAGE = 1000;
    private static final int MAX_IDS = 1000;

    private final EmbeddedDatabase database;

    EmbeddedAgentStore(EmbeddedDatabase database) {
        this.database = database;
    }

    @Override
    public Optional<Agent> findById(String agentId) {
        return database.read(
                "read agent " + agentId, c -> first(c, "SELECT id, version, doc FROM agents WHERE id = ?", agentId));
    }

    @Override
    public Optional<Agent> findByAccessApiKeyId(String apiKeyId) {
        return database.read(
                "search agents by access_api_key_id",
                c -> first(c, "SELECT id, version, doc FROM agents WHERE access_api_key_id = ? LIMIT 1", apiKeyId));
    }

    @Override
    public Optional<Agent> findByEnrollmentId(String enrollmentId) {
        return database.read(
                "search agents by enrollment_id",
                c -> first(c, "SELECT id, version, doc FROM agents WHERE enrollment_id = ? LIMIT 1", enrollmentId));
    }

    @Override
    public boolean create(String agentId, ObjectNode document) {
        String json = Json.write(document);
        return database.write("create agent " + agentId, tx -> {
            try (PreparedStatement insert = tx.connection()
                    .prepareStatement("INSERT OR IGNORE INTO agents (id, version, doc) VALUES (?, 1, ?)")) {
                insert.setString(1, agentId);
                insert.setString(2, json);
                return insert.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void delete(String agentId) {
        database.write("delete agent " + agentId, tx -> {
            try (PreparedStatement delete = tx.connection().prepareStatement("DELETE FROM agents WHERE id = ?")) {
                delete.setString(1, agentId);
                return delete.executeUpdate();
            }
        });
    }

    @Override
    public boolean update(String agentId, ObjectNode fields) {
        ObjectNode copy = fields.deepCopy();
        return database.write("update agent " + agentId, tx -> merge(tx.connection(), agentId, copy));
    }

    @Override
    public boolean modify(String agentId, Predicate<ObjectNode> edit) {
        for (int attempt = 0; ; attempt++) {
            Agent current = findById(agentId).orElse(null);
            if (current == null) {
                return false;
            }
            ObjectNode edited = current.source().deepCopy();
            if (!edit.test(edited)) {
                return false;
            }
            String json = Json.write(edited);
            long version = current.version().seqNo();
            boolean written = database.write("write agent " + agentId, tx -> {
                try (PreparedStatement update = tx.connection()
                        .prepareStatement(
                                "UPDATE agents SET doc = ?, version = version + 1 WHERE id = ? AND version = ?")) {
                    update.setString(1, json);
                    update.setString(2, agentId);
                    update.setLong(3, version);
                    return update.executeUpdate() == 1;
                }
            });
            if (written) {
                return true;
            }
            if (attempt >= CONFLICT_RETRIES) {
                throw new StoreUnavailableException(
                        StoreUnavailableException.Reason.ERROR,
                        "agent " + agentId + " kept changing while being edited; gave up after " + attempt + " tries");
            }
            log.debug("Agent {} changed while being edited; reading it again", agentId);
        }
    }

    @Override
    public void updateAll(Map<String, ObjectNode> fieldsByAgent, boolean refresh) {
        if (fieldsByAgent.isEmpty()) {
            return;
        }
        // One write for the whole batch: one transaction, one fsync. Missing agents are skipped.
        Map<String, ObjectNode> copies = new java.util.LinkedHashMap<>();
        fieldsByAgent.forEach((id, fields) -> copies.put(id, fields.deepCopy()));
        database.write("write checkin state of " + copies.size() + " agents", tx -> {
            for (Map.Entry<String, ObjectNode> entry : copies.entrySet()) {
                merge(tx.connection(), entry.getKey(), entry.getValue());
            }
            return null;
        });
    }

    @Override
    public List<String> idsWhere(String field, String value) {
        // Like a term query on a keyword field: a scalar equal to the value, or an array holding it.
        String sql = """
                SELECT a.id FROM agents a
                WHERE EXISTS (SELECT 1 FROM json_each(a.doc, ?) j
                              WHERE (j.type IN ('true', 'false') AND j.type = ?)
                                 OR (j.type NOT IN ('true', 'false', 'object', 'array', 'null')
                                     AND CAST(j.value AS TEXT) = ?))
                LIMIT ?""";
        return database.read("search agents by " + field, c -> {
            try (PreparedStatement query = c.prepareStatement(sql)) {
                query.setString(1, jsonPath(field));
                query.setString(2, value);
                query.setString(3, value);
                query.setInt(4, MAX_IDS);
                List<String> ids = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
                return ids;
            }
        });
    }

    @Override
    public void forEachAgent(Consumer<Agent> consumer) {
        // Pages by id, each read on its own, so the consumer never holds a connection while it works.
        String after = "";
        while (true) {
            String from = after;
            List<Agent> page = database.read("list agents", c -> {
                try (PreparedStatement query = c.prepareStatement(
                        "SELECT id, version, doc FROM agents WHERE id > ? ORDER BY id LIMIT " + SCAN_PAGE)) {
                    query.setString(1, from);
                    List<Agent> agents = new ArrayList<>();
                    try (ResultSet rows = query.executeQuery()) {
                        while (rows.next()) {
                            agents.add(agent(rows));
                        }
                    }
                    return agents;
                }
            });
            page.forEach(consumer);
            if (page.size() < SCAN_PAGE) {
                return;
            }
            after = page.getLast().id();
        }
    }

    /** A partial update on the writer's connection; false when the agent does not exist. */
    private static boolean merge(Connection connection, String agentId, ObjectNode fields) throws SQLException {
        String current;
        try (PreparedStatement read = connection.prepareStatement("SELECT doc FROM agents WHERE id = ?")) {
            read.setString(1, agentId);
            try (ResultSet rows = read.executeQuery()) {
                if (!rows.next()) {
                    return false;
                }
                current = rows.getString(1);
            }
        }
        ObjectNode document = Json.object(current);
        PartialUpdate.apply(document, fields);
        try (PreparedStatement write =
                connection.prepareStatement("UPDATE agents SET doc = ?, version = version + 1 WHERE id = ?")) {
            write.setString(1, Json.write(document));
            write.setString(2, agentId);
            write.executeUpdate();
        }
        return true;
    }

    private static Optional<Agent> first(Connection connection, String sql, String value) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, value);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(agent(rows)) : Optional.empty();
            }
        }
    }

    private static Agent agent(ResultSet row) throws SQLException {
        return new Agent(
                row.getString("id"), Json.object(row.getString("doc")), new DocumentVersion(row.getLong("version"), 1));
    }

    /** {@code agent.id} → {@code $."agent"."id"}: each name quoted, as field names may hold any character. */
    static String jsonPath(String field) {
        StringBuilder path = new StringBuilder("$");
        for (String part : field.split("\\.")) {
            path.append(".\"").append(part.replace("\"", "\\\"")).append('"');
        }
        return path.toString();
    }
}
