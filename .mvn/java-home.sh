# Sourced by ./mvnw and bin/run-local: selects a JDK 21+ into JAVA_HOME.
# Keeps JAVA_HOME when it is one; otherwise picks the newest JDK 21+ under /usr/lib/jvm (the machine's
# default java may be 17, which can neither build nor run this project).

java_major() { # $1 = path to a java binary; prints its feature version (17, 21, 25, ...)
    "$1" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

select_java_home() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ] 2>/dev/null; then
        return 0
    fi
    best=""; best_major=0
    for candidate in /usr/lib/jvm/*; do
        [ -x "$candidate/bin/javac" ] || continue
        major=$(java_major "$candidate/bin/java")
        [ -n "$major" ] || continue
        if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best="$candidate"; best_major="$major"; fi
    done
    if [ -z "$best" ]; then
        echo "no JDK 21 or newer found: set JAVA_HOME to one (the default java here may be 17)" >&2
        return 1
    fi
    JAVA_HOME="$best"
    export JAVA_HOME
}
