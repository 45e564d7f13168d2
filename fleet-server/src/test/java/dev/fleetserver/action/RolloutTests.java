package dev.fleetserver.action;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RolloutTests {

    @Test
    void theThirdOfFourAgentsStartsHalfwayThroughTheWindow() {
        // agent-api §21 item 89: four agents, 400 s, index 2 → T + 200 s.
        assertThat(Rollout.startTimeFor("2025-02-11T10:05:00Z", 400, 2, 4)).isEqualTo("2025-02-11T10:08:20Z");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            2025-02-11T10:05:00Z          | 600  | 0 | 2 | 2025-02-11T10:05:00Z
            2025-02-11T10:05:00Z          | 600  | 1 | 2 | 2025-02-11T10:10:00Z
            2025-02-11T10:05:00+02:00     | 400  | 2 | 4 | 2025-02-11T10:08:20+02:00
            2025-02-11T23:59:00-05:30     | 120  | 1 | 1 | 2025-02-12T00:01:00-05:30
            2025-02-11T10:05:00+00:00     | 60   | 1 | 2 | 2025-02-11T10:05:30Z
            2025-02-11T10:05:00.700Z      | 1    | 1 | 3 | 2025-02-11T10:05:01Z
            2025-02-11T10:05:00.600Z      | 1    | 1 | 3 | 2025-02-11T10:05:00Z
            2025-02-11T10:05:00Z          | 10   | 2 | 3 | 2025-02-11T10:05:06Z
            2025-02-11T10:05:00.123456789Z | 0   | 5 | 9 | 2025-02-11T10:05:00Z
            2025-02-11T10:05:00Z          | 100  | 3 | 0 | 2025-02-11T10:05:00Z
            2024-02-28T23:00:00Z          | 7200 | 1 | 1 | 2024-02-29T01:00:00Z
            """)
    void shiftsByTheAgentsShareOfTheWindowKeepingTheOffset(
            String start, long seconds, int index, int count, String expected) {
        assertThat(Rollout.startTimeFor(start, seconds, index, count)).isEqualTo(expected);
    }

    @Test
    void largeWindowsDoNotOverflow() {
        // 10^10 s × 9999 in nanoseconds exceeds a long; the result (about 317 years later) does not.
        assertThat(Rollout.startTimeFor("2025-01-01T00:00:00Z", 10_000_000_000L, 9_999, 10_000))
                .isEqualTo("2341-11-10T04:00:00Z");
    }

    @Test
    void noStartTimeStaysNone() {
        assertThat(Rollout.startTimeFor(null, 400, 1, 4)).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "yesterday",
                "2025-02-11",
                "2025-02-11T10:05Z",
                "2025-02-11T10:05:00",
                "2025-02-11 10:05:00Z",
                "2025-02-30T10:05:00Z",
                "2025-02-11T25:05:00Z",
                "1739268300"
            })
    void anUnparseableStartTimeIsDropped(String start) {
        assertThat(Rollout.startTimeFor(start, 400, 1, 4)).isNull();
    }
}
