package dev.fleetserver.store.embedded;

import dev.fleetserver.auth.ApiKey;
import dev.fleetserver.auth.ApiKeyException;
import dev.fleetserver.auth.ApiKeyVerifier;
import dev.fleetserver.auth.VerifiedApiKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Checks an agent's API key against the salted hash in the {@code api_keys} table. An unknown, invalidated or
 * wrong key is {@code REJECTED} (a 401, as Elasticsearch's answer would be). Successful checks are cached by the
 * {@link dev.fleetserver.auth.ApiKeyAuthenticator}, so this runs about once per key and TTL.
 */
final class EmbeddedApiKeyVerifier implements ApiKeyVerifier {

    private final EmbeddedDatabase database;

    EmbeddedApiKeyVerifier(EmbeddedDatabase database) {
        this.database = database;
    }

    @Override
    public VerifiedApiKey verify(ApiKey key) {
        boolean valid = database.read("authenticate an API key", c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT hash_algorithm, salt, hash, invalidated_ms FROM api_keys WHERE id = ?")) {
                query.setString(1, key.id());
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        return false;
                    }
                    String algorithm = rows.getString(1);
                    byte[] salt = rows.getBytes(2);
                    byte[] hash = rows.getBytes(3);
                    rows.getLong(4);
                    boolean invalidated = !rows.wasNull();
                    return !invalidated
                            && ApiKeyHash.ALGORITHM.equals(algorithm)
                            && ApiKeyHash.matches(salt, hash, key.secret());
                }
            }
        });
        if (!valid) {
            throw new ApiKeyException(ApiKeyException.Problem.REJECTED);
        }
        return new VerifiedApiKey(key.id());
    }
}
