package dev.fleetserver.store.embedded;

import dev.fleetserver.enrollment.EnrollmentKey;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import dev.fleetserver.store.StoreUnavailableException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Enrollment key records in the {@code enrollment_keys} table, in the layout of {@code .fleet-enrollment-api-keys}
 * with one difference: the token itself ({@code api_key}) is never stored. The record keeps only
 * {@code api_key_id}; the token's secret exists only as a salted hash in the API-key table, so a copy of the
 * database does not hand out enrollment tokens.
 */
final class EmbeddedEnrollmentKeyStore implements EnrollmentKeyStore {

    private static final String TOKEN = "api_key";

    private final EmbeddedDatabase database;

    EmbeddedEnrollmentKeyStore(EmbeddedDatabase database) {
        this.database = database;
    }

    @Override
    public List<EnrollmentKey> findActive(String apiKeyId) {
        return database.read("look up an enrollment key", c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT doc FROM enrollment_keys WHERE api_key_id = ? AND active = 1 LIMIT 10")) {
                query.setString(1, apiKeyId);
                List<EnrollmentKey> keys = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        ObjectNode source = Json.object(rows.getString(1));
                        List<String> namespaces = new ArrayList<>();
                        for (JsonNode namespace : source.path("namespaces")) {
                            namespaces.add(namespace.asString());
                        }
                        keys.add(new EnrollmentKey(
                                apiKeyId, source.path("policy_id").asString(""), List.copyOf(namespaces)));
                    }
                }
                return keys;
            }
        });
    }

    @Override
    public boolean policyExists(String policyId) {
        return database.read("look up policy " + policyId, c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT 1 FROM policies WHERE policy_id = ? LIMIT 1")) {
                query.setString(1, policyId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    @Override
    public void create(String id, ObjectNode document) {
        ObjectNode record = withoutToken(document);
        Long created = Dates.epochMillis(record.get("created_at"));
        String json = Json.write(record);
        boolean stored = database.write("store an enrollment key", tx -> {
            try (PreparedStatement insert = tx.connection()
                    .prepareStatement("INSERT OR IGNORE INTO enrollment_keys (id, created_ms, doc) VALUES (?, ?, ?)")) {
                insert.setString(1, id);
                insert.setObject(2, created);
                insert.setString(3, json);
                return insert.executeUpdate() == 1;
            }
        });
        if (!stored) {
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.ERROR, "failed to store an enrollment key: " + id + " exists");
        }
    }

    @Override
    public Optional<ObjectNode> find(String id) {
        return database.read("read an enrollment key", c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT doc FROM enrollment_keys WHERE id = ?")) {
                query.setString(1, id);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(withId(rows.getString(1), id)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<ObjectNode> all() {
        return database.read("list enrollment keys", c -> {
            try (PreparedStatement query =
                    c.prepareStatement("SELECT id, doc FROM enrollment_keys ORDER BY created_ms DESC, id")) {
                List<ObjectNode> records = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        records.add(withId(rows.getString(2), rows.getString(1)));
                    }
                }
                return records;
            }
        });
    }

    @Override
    public boolean update(String id, ObjectNode fields) {
        ObjectNode changes = withoutToken(fields);
        return database.write("update an enrollment key", tx -> {
            String current;
            try (PreparedStatement read =
                    tx.connection().prepareStatement("SELECT doc FROM enrollment_keys WHERE id = ?")) {
                read.setString(1, id);
                try (ResultSet rows = read.executeQuery()) {
                    if (!rows.next()) {
                        return false;
                    }
                    current = rows.getString(1);
                }
            }
            ObjectNode record = Json.object(current);
            PartialUpdate.apply(record, changes);
            try (PreparedStatement write = tx.connection()
                    .prepareStatement("UPDATE enrollment_keys SET doc = ?, created_ms = ? WHERE id = ?")) {
                write.setString(1, Json.write(record));
                write.setObject(2, Dates.epochMillis(record.get("created_at")));
                write.setString(3, id);
                write.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public boolean delete(String id) {
        return database.write("delete an enrollment key", tx -> {
            try (PreparedStatement delete =
                    tx.connection().prepareStatement("DELETE FROM enrollment_keys WHERE id = ?")) {
                delete.setString(1, id);
                return delete.executeUpdate() == 1;
            }
        });
    }

    private static ObjectNode withoutToken(ObjectNode document) {
        ObjectNode copy = document.deepCopy();
        copy.remove(TOKEN);
        return copy;
    }

    /** Kibana's records carry no id of their own: the row's id is the record's id. */
    private static ObjectNode withId(String json, String id) throws SQLException {
        ObjectNode record = Json.object(json);
        if (!record.has("id")) {
            record.put("id", id);
        }
        return record;
    }
}
