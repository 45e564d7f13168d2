package dev.fleetserver.load.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTests {

    /** The windows of agent-behavior §2.4, §3.4 and §4.3, in seconds. */
    @ParameterizedTest
    @CsvSource(textBlock = """
            CHECKIN,   1,  60, 120
            CHECKIN,   2, 120, 240
            CHECKIN,   3, 240, 480
            CHECKIN,   4, 300, 780
            CHECKIN,   9, 300, 900
            ENROLL,    1,   5,  10
            ENROLL,    7, 300, 620
            ACK_RETRY, 3, 150, 390
            ACK_RETRY, 5, 150, 450
            """)
    void waitsFallInTheAgentsWindows(String kind, int failures, long lowSeconds, long highSeconds) {
        Backoff backoff = switch (kind) {
            case "CHECKIN" -> Backoff.CHECKIN;
            case "ENROLL" -> Backoff.ENROLL;
            default -> Backoff.ACK_RETRY;
        };
        for (int i = 0; i < 1000; i++) {
            assertThat(backoff.waitMillis(failures, 1.0)).isBetween(lowSeconds * 1000, highSeconds * 1000 - 1);
        }
        assertThat(backoff.waitMillis(failures, 0.01)).isLessThan(highSeconds * 10);
    }
}
