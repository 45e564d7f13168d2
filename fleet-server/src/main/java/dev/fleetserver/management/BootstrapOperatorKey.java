package dev.fleetserver.management;

import dev.fleetserver.config.FleetServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The operator key a server on the embedded store makes for itself when none is configured: without one the
 * management API would refuse every request, and a quick start would have no way in. It is made at the first
 * start, shown once on the console, and only its SHA-256 digest is kept, in {@value #FILE_NAME} under
 * {@code path.data}. Deleting that file makes a new key at the next start. Configured keys
 * ({@code fleet.management.api_keys} or its file) replace it: then no such key exists at all.
 */
public final class BootstrapOperatorKey {

    public static final String FILE_NAME = "management-operator-key.json";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> PRIVILEGES = List.of("all");

    private final @Nullable String newAuthorization;

    private BootstrapOperatorKey(@Nullable String newAuthorization) {
        this.newAuthorization = newAuthorization;
    }

    /**
     * Loads the key's digest into {@code keys}, making the key first when there is none yet; does nothing unless
     * the server runs on the embedded store with the management API on and no operator key configured.
     */
    static BootstrapOperatorKey apply(FleetServerConfig config, OperatorKeys keys) {
        FleetServerConfig.Management management = config.fleet().management();
        if (config.store() != FleetServerConfig.StoreKind.EMBEDDED
                || !management.enabled()
                || !management.apiKeys().isEmpty()) {
            return new BootstrapOperatorKey(null);
        }
        Path file = config.dataPath().resolve(FILE_NAME);
        try {
            if (Files.exists(file)) {
                JsonNode stored = JSON.readTree(Files.readString(file));
                keys.addHashed(
                        stored.path("id").asString(),
                        HexFormat.of().parseHex(stored.path("sha256").asString()),
                        PRIVILEGES);
                return new BootstrapOperatorKey(null);
            }
            SecureRandom random = new SecureRandom();
            String id = "operator-" + HexFormat.of().formatHex(bytes(random, 4));
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random, 32));
            byte[] digest = OperatorKeys.digest(secret);
            write(file, id, digest);
            keys.addHashed(id, digest, PRIVILEGES);
            String authorization = "ApiKey "
                    + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
            return new BootstrapOperatorKey(authorization);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the management API's operator key in " + file, e);
        }
    }

    /** The {@code Authorization} header value of a key made at this start, to be shown once; empty otherwise. */
    public Optional<String> newAuthorization() {
        return Optional.ofNullable(newAuthorization);
    }

    private static byte[] bytes(SecureRandom random, int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private static void write(Path file, String id, byte[] digest) throws IOException {
        Path directory = file.getParent();
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(directory)) {
            // Same rule as the store's own directory: readable by the server's user only.
            if (posix) {
                Files.createDirectories(
                        directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(directory);
            }
        }
        ObjectNode stored = JSON.createObjectNode();
        stored.put("id", id);
        stored.put("sha256", HexFormat.of().formatHex(digest));
        stored.putArray("privileges").add("all");
        Path partial = directory.resolve(FILE_NAME + ".partial");
        Files.writeString(
                partial,
                JSON.writeValueAsString(stored) + "\n",
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE,
                StandardOpenOption.SYNC);
        if (posix) {
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        }
        Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
