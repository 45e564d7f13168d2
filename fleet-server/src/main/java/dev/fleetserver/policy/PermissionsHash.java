package dev.fleetserver.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;

/**
 * The {@code permissions_hash} stored per output on an agent document: lower-case hex SHA-256 of the output's role
 * descriptors in {@link GoJson} form followed by a newline (Go's {@code json.Encoder} ends every value with one).
 * The server compares it with the policy's current permissions to decide whether the output key must be updated.
 */
public final class PermissionsHash {

    private PermissionsHash() {}

    /** The hash of {@code roleDescriptors} (the value of {@code output_permissions.<output name>}). */
    public static String of(JsonNode roleDescriptors) {
        byte[] canonical = (GoJson.canonical(roleDescriptors) + "\n").getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(sha256().digest(canonical));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
