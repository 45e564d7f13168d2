package dev.fleetserver.store.embedded;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Dates as Elasticsearch reads them in {@code date} fields ({@code strict_date_optional_time||epoch_millis}), kept
 * as epoch milliseconds in indexed columns, and the date-math ages ({@code 30d}) of {@code now-<age>}.
 */
final class Dates {

    private static final Pattern AGE = Pattern.compile("^(\\d+)([yMwdhHms])$");

    private Dates() {}

    /** The instant a date field holds, or null when it is missing or not a date. */
    static @Nullable Long epochMillis(@Nullable JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (value.isNumber()) {
            return value.asLong();
        }
        return value.isString() ? epochMillis(value.asString()) : null;
    }

    static @Nullable Long epochMillis(String text) {
        String value = text.strip();
        if (value.isEmpty()) {
            return null;
        }
        if (value.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(value);
        }
        try {
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            // no offset: Elasticsearch reads it as UTC
        }
        try {
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            // a date alone
        }
        try {
            return LocalDate.parse(value)
                    .atStartOfDay(ZoneOffset.UTC)
                    .toInstant()
                    .toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * {@code now-<age>} in date math: a count and one unit of {@code y M w d h H m s} ({@code M} months, {@code m}
     * minutes), calendar-aware for months and years, in UTC.
     *
     * @throws IllegalArgumentException for anything else
     */
    static long before(String age, Instant now) {
        Matcher m = AGE.matcher(age.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a date-math age: " + age);
        }
        long amount = Long.parseLong(m.group(1));
        ChronoUnit unit = switch (m.group(2)) {
            case "y" -> ChronoUnit.YEARS;
            case "M" -> ChronoUnit.MONTHS;
            case "w" -> ChronoUnit.WEEKS;
            case "d" -> ChronoUnit.DAYS;
            case "h", "H" -> ChronoUnit.HOURS;
            case "m" -> ChronoUnit.MINUTES;
            default -> ChronoUnit.SECONDS;
        };
        return ZonedDateTime.ofInstant(now, ZoneOffset.UTC)
                .minus(amount, unit)
                .toInstant()
                .toEpochMilli();
    }
}
