package dev.fleetserver.management;

import dev.fleetserver.config.FleetServerConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator keys of the management API: those of {@code fleet.management.api_keys} (and its file), plus any
 * the server adds at run time through {@link #addHashed}. Only a SHA-256 digest of each secret is kept (the
 * secrets are long random strings, so a salt adds nothing), and a presented secret is compared digest to
 * digest in constant time.
 */
public final class OperatorKeys {

    private record Entry(byte[] digest, Set<Privilege> privileges) {}

    private final Map<String, Entry> keys = new ConcurrentHashMap<>();

    public OperatorKeys(Collection<FleetServerConfig.OperatorKey> configured) {
        for (FleetServerConfig.OperatorKey key : configured) {
            if (key.id() != null && key.key() != null) {
                keys.put(key.id(), new Entry(digest(key.key().value()), privileges(key.privileges())));
            }
        }
    }

    /**
     * Adds (or replaces) a key known only by the SHA-256 digest of its secret, e.g. one the server generated at
     * its first start and showed once.
     *
     * @param privileges configured names ({@code all}, {@code read}, {@code fleet-agents-all}, ...)
     */
    public void addHashed(String id, byte[] secretSha256, Collection<String> privileges) {
        if (secretSha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes");
        }
        keys.put(id, new Entry(secretSha256.clone(), privileges(privileges)));
    }

    /** The SHA-256 digest {@link #addHashed} expects for a secret. */
    public static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * The operator an {@code Authorization} header names, if the header is {@code ApiKey base64(id:key)} with a
     * known id and the matching secret.
     */
    public Optional<Operator> authenticate(@org.jspecify.annotations.Nullable String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "ApiKey ", 0, 7)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(
                    Base64.getDecoder().decode(authorization.substring(7).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String id = decoded.substring(0, colon);
        byte[] presented = digest(decoded.substring(colon + 1));
        Entry entry = keys.get(id);
        // Compare even for an unknown id, so that the answer takes as long either way.
        byte[] expected = entry == null ? new byte[32] : entry.digest();
        boolean matches = MessageDigest.isEqual(expected, presented);
        return entry != null && matches ? Optional.of(new Operator(id, entry.privileges())) : Optional.empty();
    }

    private static Set<Privilege> privileges(Collection<String> names) {
        Set<Privilege> granted = EnumSet.noneOf(Privilege.class);
        names.forEach(name -> granted.addAll(Privilege.granted(name)));
        return granted;
    }
}
