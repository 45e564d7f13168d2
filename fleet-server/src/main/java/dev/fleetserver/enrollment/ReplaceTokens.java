package dev.fleetserver.enrollment;

import dev.fleetserver.config.ServerConfig;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Hashes of enrollment {@code replace_token}s, in upstream's format
 * {@code $pbkdf2-sha512$<iterations>$<salt>$<key>} (PBKDF2-HMAC-SHA-512, standard base64 without padding), so
 * documents written by either server verify on both. Only the hash is ever stored.
 */
final class ReplaceTokens {

    private static final String ALGORITHM = "pbkdf2-sha512";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ServerConfig.Pbkdf2 settings;

    ReplaceTokens(ServerConfig.Pbkdf2 settings) {
        this.settings = settings;
    }

    String hash(String token) {
        byte[] salt = new byte[settings.saltLength()];
        RANDOM.nextBytes(salt);
        byte[] key = derive(token, salt, settings.iterations(), settings.keyLength());
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$" + ALGORITHM + "$" + settings.iterations() + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(key);
    }

    /** Whether the token matches the stored hash; a malformed hash never matches. */
    static boolean matches(String token, String stored) {
        String[] parts = stored.split("\\$", -1);
        if (parts.length != 5 || !parts[0].isEmpty() || !parts[1].equals(ALGORITHM)) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[2]);
            byte[] salt = Base64.getDecoder().decode(parts[3]);
            byte[] expected = Base64.getDecoder().decode(parts[4]);
            if (iterations < 1 || expected.length == 0) {
                return false;
            }
            return MessageDigest.isEqual(expected, derive(token, salt, iterations, expected.length));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] derive(String token, byte[] salt, int iterations, int keyLength) {
        try {
            var spec = new PBEKeySpec(token.toCharArray(), salt, iterations, keyLength * 8);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                    .generateSecret(spec)
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is missing from this JVM", e);
        }
    }
}
