package dev.fleetserver.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTests {

    @ParameterizedTest
    @CsvSource(textBlock = """
            1m30s,  90000000000
            250ms,  250000000
            0.5ms,  500000
            0.25ms, 250000
            1.5h,   5400000000000
            1h30m,  5400000000000
            5m,     300000000000
            10us,   10000
            10µs,   10000
            7ns,    7
            0,      0
            30,     30000000000
            -1m,    -60000000000
            """)
    void readsGoSyntax(String text, long nanos) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5x", "m", "1m 30s", "PT5M", "1.2.3s", "soon"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid duration");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            300000000000,  5m0s
            5400000000000, 1h30m0s
            250000000,     250ms
            90500000000,   1m30.5s
            0,             0s
            """)
    void formatsLikeGo(long nanos, String text) {
        assertThat(GoDuration.format(Duration.ofNanos(nanos))).isEqualTo(text);
    }
}
