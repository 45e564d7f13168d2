package dev.fleetserver.auth;

/** Port: asks the credential store whether an API key is valid. */
public interface ApiKeyVerifier {

    /**
     * @return the verified key's identity
     * @throws ApiKeyException with {@code REJECTED}, {@code NOT_ENABLED} or {@code RATE_LIMITED}
     * @throws dev.fleetserver.store.StoreUnavailableException when the store cannot answer
     */
    VerifiedApiKey verify(ApiKey key);
}
