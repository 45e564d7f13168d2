package dev.fleetserver.agent;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's version from its {@code User-Agent} ({@code Elastic Agent v9.5.2}), and upstream's rule for
 * which versions a server accepts (agent-api §8): at least 7.13.0, and not a newer minor than the server's
 * (a newer patch is fine).
 */
public final class AgentVersion {

    private static final String PREFIX = "elastic agent ";
    private static final Pattern SEMVER = Pattern.compile("^v?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?$");

    private AgentVersion() {}

    /**
     * @return the normalised version {@code MAJOR.MINOR.PATCH}
     * @throws InvalidUserAgentException when the header is missing or not an Elastic Agent's
     * @throws UnsupportedAgentVersionException when the version is outside the accepted range
     */
    public static String check(String userAgent, String serverVersion) {
        if (userAgent == null || userAgent.isEmpty()) {
            throw new InvalidUserAgentException();
        }
        String lower = userAgent.toLowerCase(Locale.ROOT);
        if (!lower.startsWith(PREFIX)) {
            throw new InvalidUserAgentException();
        }
        String versionPart = lower.substring(PREFIX.length()).split("-", 2)[0].strip();
        int[] version = parse(versionPart);
        if (version == null) {
            throw new InvalidUserAgentException();
        }
        int[] server = parse(serverVersion.split("-", 2)[0]);
        // A snapshot build of the server lets agents one minor ahead in (agent-api §8).
        int allowedMinor = server == null ? 0 : server[1] + (isSnapshot(serverVersion) ? 1 : 0);
        boolean tooOld = compare(version, new int[] {7, 13, 0}) < 0;
        boolean tooNew =
                server != null && (version[0] > server[0] || (version[0] == server[0] && version[1] > allowedMinor));
        if (tooOld || tooNew) {
            throw new UnsupportedAgentVersionException();
        }
        return version[0] + "." + version[1] + "." + version[2];
    }

    private static boolean isSnapshot(String serverVersion) {
        return serverVersion.toUpperCase(Locale.ROOT).endsWith("-SNAPSHOT");
    }

    private static int[] parse(String text) {
        Matcher m = SEMVER.matcher(text);
        if (!m.matches()) {
            return null;
        }
        try {
            return new int[] {
                Integer.parseInt(m.group(1)),
                m.group(2) == null ? 0 : Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
