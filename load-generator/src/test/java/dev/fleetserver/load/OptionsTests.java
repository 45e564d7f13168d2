package dev.fleetserver.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTests {

    @Test
    void parsesTheScenarioValuesFlagsAndRepeatedOptions() {
        Options options = Options.parse(
                "held",
                "--agents",
                "5000",
                "--start-server",
                "--server-set",
                "a=1",
                "--server-set=b=2",
                "--duration",
                "90s");

        assertThat(options.scenario()).isEqualTo("held");
        assertThat(options.integer("agents", 0)).isEqualTo(5000);
        assertThat(options.flag("start-server")).isTrue();
        assertThat(options.all("server-set")).containsExactly("a=1", "b=2");
        assertThat(options.duration("duration", Duration.ZERO)).isEqualTo(Duration.ofSeconds(90));
        assertThat(options.duration("action-interval", Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void theCommandLineWinsOverScenarioDefaults() {
        Options options =
                Options.parse("smoke", "--agents", "10").withDefaults(Map.of("agents", "2000", "duration", "1m"));

        assertThat(options.integer("agents", 0)).isEqualTo(10);
        assertThat(options.duration("duration", Duration.ZERO)).isEqualTo(Duration.ofMinutes(1));
        assertThat(Options.parse("x", "--duration", "250ms").duration("duration", null))
                .isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aTypoIsAnErrorNotAnotherBenchmark() {
        assertThatThrownBy(() -> Options.parse("held", "--agent", "5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--agent");
    }
}
