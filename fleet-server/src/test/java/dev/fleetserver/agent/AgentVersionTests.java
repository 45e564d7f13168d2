package dev.fleetserver.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The User-Agent version policy of agent-api §8. */
class AgentVersionTests {

    @ParameterizedTest(name = "{0} with server {1} → {2}")
    @CsvSource({
        "Elastic Agent v9.5.0, 9.5.0, 9.5.0",
        "elastic agent 9.5.7, 9.5.0, 9.5.7",
        "Elastic Agent v9.4.2-SNAPSHOT, 9.5.0, 9.4.2",
        "Elastic Agent v8.6, 9.5.0, 8.6.0",
        "Elastic Agent v7.13.0, 9.5.0, 7.13.0",
        "Elastic Agent v9.6.3, 9.5.0-SNAPSHOT, 9.6.3",
    })
    void acceptedVersionsAreNormalised(String userAgent, String server, String normalised) {
        assertThat(AgentVersion.check(userAgent, server)).isEqualTo(normalised);
    }

    @ParameterizedTest(name = "{0} with server {1}")
    @CsvSource({
        "Elastic Agent v9.6.0, 9.5.0",
        "Elastic Agent v10.0.0, 9.5.0",
        "Elastic Agent v7.12.9, 9.5.0",
        "Elastic Agent v9.7.0, 9.5.0-SNAPSHOT",
    })
    void versionsOutsideTheWindowAreUnsupported(String userAgent, String server) {
        assertThatThrownBy(() -> AgentVersion.check(userAgent, server))
                .isInstanceOf(UnsupportedAgentVersionException.class);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource({"Mozilla/5.0, 9.5.0", "Elastic Agent v9.5.0 (linux), 9.5.0", "Elastic Agent, 9.5.0"})
    void otherUserAgentsAreInvalid(String userAgent, String server) {
        assertThatThrownBy(() -> AgentVersion.check(userAgent, server)).isInstanceOf(InvalidUserAgentException.class);
    }
}
