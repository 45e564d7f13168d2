package dev.fleetserver.store.embedded;

import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.store.StoreUnavailableException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fleet's own API keys (agents' access keys, enrollment keys) in the {@code api_keys} table: name, role
 * descriptors and metadata as given, the secret only as a salted hash. Invalidated keys stay (marked) so that
 * invalidating again reports them, as Elasticsearch does. Never used for output keys: those live in the
 * Elasticsearch clusters the outputs point to.
 */
final class EmbeddedApiKeys implements ApiKeys {

    private final EmbeddedDatabase database;
    private final Clock clock;

    EmbeddedApiKeys(EmbeddedDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    @Override
    public CreatedApiKey create(String name, ObjectNode roleDescriptors, ObjectNode metadata) {
        String id = ApiKeyHash.newId();
        String secret = ApiKeyHash.newSecret();
        byte[] salt = ApiKeyHash.newSalt();
        byte[] hash = ApiKeyHash.hash(salt, secret);
        String roles = Json.write(roleDescriptors);
        String meta = Json.write(metadata);
        long now = clock.millis();
        database.write("create an API key", tx -> {
            try (PreparedStatement insert = tx.connection()
                    .prepareStatement("INSERT INTO api_keys (id, name, hash_algorithm, salt, hash, role_descriptors,"
                            + " metadata, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, name);
                insert.setString(3, ApiKeyHash.ALGORITHM);
                insert.setBytes(4, salt);
                insert.setBytes(5, hash);
                insert.setString(6, roles);
                insert.setString(7, meta);
                insert.setLong(8, now);
                return insert.executeUpdate();
            }
        });
        return new CreatedApiKey(id, secret);
    }

    @Override
    public Optional<ObjectNode> roleDescriptors(String keyId) {
        return database.read("read API key " + keyId, c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT role_descriptors FROM api_keys WHERE id = ?")) {
                query.setString(1, keyId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(Json.object(rows.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void updateRoleDescriptors(String keyId, ObjectNode roleDescriptors) {
        String roles = Json.write(roleDescriptors);
        int updated = database.write("update API key " + keyId, tx -> {
            try (PreparedStatement update = tx.connection()
                    .prepareStatement(
                            "UPDATE api_keys SET role_descriptors = ? WHERE id = ? AND invalidated_ms IS NULL")) {
                update.setString(1, roles);
                update.setString(2, keyId);
                return update.executeUpdate();
            }
        });
        if (updated == 0) {
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.ERROR,
                    "API key " + keyId + " was not updated: it does not exist or is invalidated");
        }
    }

    @Override
    public Set<String> invalidate(Collection<String> keyIds) {
        if (keyIds.isEmpty()) {
            return Set.of();
        }
        List<String> ids = List.copyOf(new HashSet<>(keyIds));
        String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
        long now = clock.millis();
        return database.write("invalidate " + ids.size() + " API keys", tx -> {
            try (PreparedStatement update = tx.connection()
                    .prepareStatement("UPDATE api_keys SET invalidated_ms = coalesce(invalidated_ms, ?) WHERE id IN ("
                            + marks + ")")) {
                update.setLong(1, now);
                for (int i = 0; i < ids.size(); i++) {
                    update.setString(i + 2, ids.get(i));
                }
                update.executeUpdate();
            }
            Set<String> invalidated = new HashSet<>();
            try (PreparedStatement query =
                    tx.connection().prepareStatement("SELECT id FROM api_keys WHERE id IN (" + marks + ")")) {
                for (int i = 0; i < ids.size(); i++) {
                    query.setString(i + 1, ids.get(i));
                }
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        invalidated.add(rows.getString(1));
                    }
                }
            }
            return invalidated;
        });
    }
}
