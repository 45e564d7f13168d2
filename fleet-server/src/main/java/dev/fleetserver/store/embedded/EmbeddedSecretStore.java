package dev.fleetserver.store.embedded;

import dev.fleetserver.secret.SecretStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Secret values referenced by policies and actions ({@code $co.elastic.secret{<id>}}), in the {@code secrets}
 * table. The port only reads; {@link #put} is how this store gets them (tools and tests).
 */
final class EmbeddedSecretStore implements SecretStore {

    private final EmbeddedDatabase database;

    EmbeddedSecretStore(EmbeddedDatabase database) {
        this.database = database;
    }

    @Override
    public Map<String, String> read(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        List<String> wanted = List.copyOf(ids);
        String marks = String.join(", ", Collections.nCopies(wanted.size(), "?"));
        return database.read("read secrets", c -> {
            try (PreparedStatement query =
                    c.prepareStatement("SELECT id, value FROM secrets WHERE id IN (" + marks + ")")) {
                for (int i = 0; i < wanted.size(); i++) {
                    query.setString(i + 1, wanted.get(i));
                }
                Map<String, String> values = new HashMap<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        values.put(rows.getString(1), rows.getString(2));
                    }
                }
                return values;
            }
        });
    }

    /** Stores (or replaces) a secret value. */
    void put(String id, String value) {
        database.write("store a secret", tx -> {
            try (PreparedStatement upsert =
                    tx.connection().prepareStatement("INSERT OR REPLACE INTO secrets (id, value) VALUES (?, ?)")) {
                upsert.setString(1, id);
                upsert.setString(2, value);
                return upsert.executeUpdate();
            }
        });
    }
}
