package dev.fleetserver.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as Go writes them ({@code 1m30s}, {@code 250ms}, {@code 0.5ms}, {@code 1h}), the syntax
 * of upstream's {@code fleet-server.yml}. Spring's own converter accepts only one unit per value, so
 * {@code 1m30s} would be refused.
 */
public final class GoDuration {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

    private GoDuration() {}

    /** Parses a Go duration; a bare number counts as seconds, as go-ucfg reads numeric durations. */
    public static Duration parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("invalid duration \"\"");
        }
        if (s.matches("[+-]?\\d+(\\.\\d+)?")) {
            return ofNanos(new BigDecimal(s).multiply(BigDecimal.valueOf(1_000_000_000L)), text);
        }
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        Matcher m = PART.matcher(s);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\"");
            }
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
            at = m.end();
        }
        return ofNanos(negative ? nanos.negate() : nanos, text);
    }

    /**
     * Parses exactly as Go's {@code time.ParseDuration}: a unit is required except for {@code 0}, and the empty
     * string is invalid. For values agents send ({@code poll_timeout}).
     */
    public static Duration parseStrict(String text) {
        if (text.equals("0") || text.equals("+0") || text.equals("-0")) {
            return Duration.ZERO;
        }
        if (text.isEmpty() || !text.equals(text.strip()) || text.matches("[+-]?\\d+(\\.\\d+)?")) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        }
        return parse(text);
    }

    /** Formats like Go's {@code time.Duration.String()} for whole units: {@code 5m0s}, {@code 1h30m0s}, {@code 250ms}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        long nanos = duration.toNanos();
        if (Math.abs(nanos) < 1_000_000_000L) {
            if (nanos % 1_000_000 == 0) {
                return nanos / 1_000_000 + "ms";
            }
            return nanos % 1000 == 0 ? nanos / 1000 + "µs" : nanos + "ns";
        }
        StringBuilder out = new StringBuilder(nanos < 0 ? "-" : "");
        Duration d = duration.abs();
        if (d.toHours() > 0) {
            out.append(d.toHours()).append('h');
        }
        if (d.toHours() > 0 || d.toMinutesPart() > 0) {
            out.append(d.toMinutesPart()).append('m');
        }
        BigDecimal seconds = BigDecimal.valueOf(d.toSecondsPart())
                .add(BigDecimal.valueOf(d.toNanosPart(), 9))
                .stripTrailingZeros();
        return out.append(seconds.toPlainString()).append('s').toString();
    }

    private static Duration ofNanos(BigDecimal nanos, String text) {
        try {
            return Duration.ofNanos(
                    nanos.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\": out of range");
        }
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }
}
