package dev.fleetserver.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Every secret the tests hand to a server (service tokens, API keys, passwords), and the logs every server of
 * the run writes, so that {@link NoSecretsInLogs} can prove no secret ever reached a log line.
 */
public final class Secrets {

    /** Where all servers of this test run log: in-process ones through logback-test.xml, processes by redirect. */
    public static final Path LOG_DIR = Path.of(System.getProperty("fleet.test.logdir", "target/test-logs"));

    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    private Secrets() {}

    /** Remembers a secret (ignored when too short to be meaningful) and returns it. */
    public static String register(String secret) {
        if (secret != null && secret.length() >= 8) {
            KNOWN.add(secret);
        }
        return secret;
    }

    /** Lines of the run's logs that contain a registered secret. */
    public static List<String> leaks() {
        List<String> leaks = new ArrayList<>();
        if (!Files.isDirectory(LOG_DIR)) {
            return leaks;
        }
        try (Stream<Path> files = Files.walk(LOG_DIR)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                for (String secret : KNOWN) {
                    int at = text.indexOf(secret);
                    if (at >= 0) {
                        leaks.add(file.getFileName() + ": …" + text.substring(Math.max(0, at - 120), at) + "<SECRET>");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return leaks;
    }

    /** How many secrets are known, so a test can check the scan has something to look for. */
    public static int count() {
        return KNOWN.size();
    }
}
