package dev.fleetserver.store.embedded;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * API keys issued locally, in Elasticsearch's forms so that agents cannot tell the stores apart: a 20-character
 * URL-safe id (15 random bytes) and a 22-character URL-safe secret (16 random bytes, 128 bits). Only a salted
 * SHA-256 of the secret is stored ({@code ssha256}, ADR 9): a random 128-bit secret cannot be guessed, so a slow
 * password hash would add cost to every uncached check without adding safety.
 */
final class ApiKeyHash {

    static final String ALGORITHM = "ssha256";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

    private ApiKeyHash() {}

    static String newId() {
        return URL_SAFE.encodeToString(randomBytes(15));
    }

    static String newSecret() {
        return URL_SAFE.encodeToString(randomBytes(16));
    }

    static byte[] newSalt() {
        return randomBytes(16);
    }

    static byte[] hash(byte[] salt, String secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt);
            digest.update(secret.getBytes(StandardCharsets.UTF_8));
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Compares in constant time, so the answer's timing tells nothing about how much of the secret matched. */
    static boolean matches(byte[] salt, byte[] expected, String secret) {
        return MessageDigest.isEqual(expected, hash(salt, secret));
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
