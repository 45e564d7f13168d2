package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.security.AuthenticateResponse;
import dev.fleetserver.auth.ApiKey;
import dev.fleetserver.auth.ApiKeyException;
import dev.fleetserver.auth.ApiKeyVerifier;
import dev.fleetserver.auth.VerifiedApiKey;

/**
 * Checks an agent's API key with {@code GET /_security/_authenticate}, presenting the key itself instead of
 * the service token (agent-api §7.2).
 */
final class ElasticsearchApiKeyVerifier implements ApiKeyVerifier {

    private final ElasticsearchConnection connection;

    ElasticsearchApiKeyVerifier(ElasticsearchConnection connection) {
        this.connection = connection;
    }

    @Override
    public VerifiedApiKey verify(ApiKey key) {
        AuthenticateResponse response;
        try {
            response = connection
                    .client()
                    .withTransportOptions(o -> o.setHeader("Authorization", "ApiKey " + key.encoded()))
                    .security()
                    .authenticate();
        } catch (Exception e) {
            int status = ElasticsearchErrors.status(e);
            if (status == 401) {
                throw new ApiKeyException(ApiKeyException.Problem.REJECTED);
            }
            if (status == 429) {
                throw new ApiKeyException(ApiKeyException.Problem.RATE_LIMITED);
            }
            throw ElasticsearchErrors.translate(e, "authenticate an API key", connection.describe());
        }
        if (!response.enabled()) {
            throw new ApiKeyException(ApiKeyException.Problem.NOT_ENABLED);
        }
        return new VerifiedApiKey(key.id());
    }
}
