package dev.fleetserver.action;

import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * Spreading a scheduled action's {@code start_time} over its target agents (agent-api §10.6.2): the agent at
 * {@code index} of {@code count} starts {@code rolloutDurationSeconds × index / count} later. Only actions pushed
 * live to waiting checkins get this; pending actions keep the stored start time (quirk Q8).
 */
public final class Rollout {

    private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

    /** RFC 3339 as Go's {@code time.RFC3339} parses it: seconds required, optional fraction, offset or Z. */
    private static final DateTimeFormatter RFC3339_IN = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
            .optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter()
            .withResolverStyle(ResolverStyle.STRICT);

    /** RFC 3339 at second precision as Go's {@code time.RFC3339} writes it: a zero offset becomes "Z". */
    private static final DateTimeFormatter RFC3339_OUT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendOffset("+HH:MM", "Z")
            .toFormatter()
            .withResolverStyle(ResolverStyle.STRICT);

    private Rollout() {}

    /**
     * The start time of the agent at {@code index} (0-based) among {@code count} targets, in the original offset
     * with whole seconds, or null when {@code startTime} is null or not RFC 3339 (the action is then sent without
     * one). The offset is computed in whole nanoseconds, truncating, before the fraction is dropped.
     */
    public static @Nullable String startTimeFor(
            @Nullable String startTime, long rolloutDurationSeconds, int index, int count) {
        if (startTime == null) {
            return null;
        }
        OffsetDateTime start;
        try {
            start = OffsetDateTime.parse(startTime, RFC3339_IN);
        } catch (DateTimeParseException e) {
            return null;
        }
        OffsetDateTime shifted = start;
        if (count > 0 && rolloutDurationSeconds != 0) {
            // BigInteger: duration × index overflows a long of nanoseconds long before the result would.
            BigInteger[] secondsAndNanos = BigInteger.valueOf(rolloutDurationSeconds)
                    .multiply(NANOS_PER_SECOND)
                    .multiply(BigInteger.valueOf(index))
                    .divide(BigInteger.valueOf(count))
                    .divideAndRemainder(NANOS_PER_SECOND);
            shifted = start.plusSeconds(secondsAndNanos[0].longValueExact())
                    .plusNanos(secondsAndNanos[1].longValueExact());
        }
        return shifted.truncatedTo(ChronoUnit.SECONDS).format(RFC3339_OUT);
    }
}
