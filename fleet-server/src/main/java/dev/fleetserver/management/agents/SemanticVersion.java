package dev.fleetserver.management.agents;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Versions as Kibana's {@code semver} package reads them: strict parsing, or coercion of {@code 9.5}, {@code v9}. */
record SemanticVersion(int major, int minor, int patch) implements Comparable<SemanticVersion> {

    private static final Pattern STRICT =
            Pattern.compile("^v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$");
    private static final Pattern COERCE = Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");

    /** A valid semantic version ({@code 9.5.1}, {@code 9.5.1-SNAPSHOT}), or null. */
    static @Nullable SemanticVersion parse(String text) {
        Matcher m = STRICT.matcher(text.strip());
        return m.matches()
                ? new SemanticVersion(
                        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))
                : null;
    }

    /** The first version-like part of the text, missing parts 0 ({@code semver.coerce}), or null. */
    static @Nullable SemanticVersion coerce(@Nullable String text) {
        if (text == null) {
            return null;
        }
        Matcher m = COERCE.matcher(text);
        if (!m.find()) {
            return null;
        }
        return new SemanticVersion(
                Integer.parseInt(m.group(1)),
                m.group(2) == null ? 0 : Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    @Override
    public int compareTo(SemanticVersion other) {
        int byMajor = Integer.compare(major, other.major);
        if (byMajor != 0) {
            return byMajor;
        }
        int byMinor = Integer.compare(minor, other.minor);
        return byMinor != 0 ? byMinor : Integer.compare(patch, other.patch);
    }

    boolean isAfter(SemanticVersion other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
