package dev.fleetserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeyAuthenticatorTests {

    /** A credential store with a fixed set of valid keys that records every question asked. */
    private static final class RecordingStore implements ApiKeyVerifier {
        final Map<String, String> valid;
        final List<String> asked = new ArrayList<>();

        RecordingStore(Map<String, String> valid) {
            this.valid = valid;
        }

        @Override
        public VerifiedApiKey verify(ApiKey key) {
            asked.add(key.id());
            if (!key.secret().equals(valid.get(key.id()))) {
                throw new ApiKeyException(ApiKeyException.Problem.REJECTED);
            }
            return new VerifiedApiKey(key.id());
        }
    }

    private final RecordingStore store = new RecordingStore(Map.of("k1", "s1"));
    private final ApiKeyAuthenticator authenticator =
            new ApiKeyAuthenticator(store, Duration.ofMinutes(15), Duration.ofMinutes(5), 1000, 4);

    @Test
    void aSuccessfulCheckIsRemembered() {
        authenticator.authenticate(new ApiKey("k1", "s1"));
        authenticator.authenticate(new ApiKey("k1", "s1"));

        assertThat(store.asked).containsExactly("k1");
    }

    @Test
    void theSameIdWithAnotherSecretIsAskedAgainAndRefused() {
        authenticator.authenticate(new ApiKey("k1", "s1"));

        assertThatThrownBy(() -> authenticator.authenticate(new ApiKey("k1", "wrong")))
                .isInstanceOf(ApiKeyException.class);
        assertThat(store.asked).containsExactly("k1", "k1");
    }

    @Test
    void refusalsAreNotRemembered() {
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> authenticator.authenticate(new ApiKey("k2", "x")))
                    .isInstanceOf(ApiKeyException.class);
        }
        assertThat(store.asked).containsExactly("k2", "k2");
    }

    @Test
    void aForgottenKeyIsCheckedAgain() {
        authenticator.authenticate(new ApiKey("k1", "s1"));
        authenticator.forget("k1");
        authenticator.authenticate(new ApiKey("k1", "s1"));

        assertThat(store.asked).containsExactly("k1", "k1");
    }

    @Test
    void aRememberedKeyNeedsNoCheck() {
        authenticator.remember(new ApiKey("k9", "s9"));

        assertThat(authenticator.authenticate(new ApiKey("k9", "s9")).id()).isEqualTo("k9");
        assertThat(store.asked).isEmpty();
    }
}
