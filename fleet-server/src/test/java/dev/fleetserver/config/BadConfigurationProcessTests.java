package dev.fleetserver.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testsupport.FleetServerProcess;
import dev.fleetserver.testsupport.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of bad configuration, run as a real process: exit code 1 and exactly one line naming the key,
 * where it was set (file and line) and the problem, and no stack trace.
 */
class BadConfigurationProcessTests {

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                Arguments.of("two fleet-server inputs", """
                        output.elasticsearch.hosts: [localhost:9200]
                        inputs:
                          - type: fleet-server
                          - type: fleet-server
                        """, "inputs[1]", ":4", "only one input is allowed"),
                Arguments.of(
                        "an unresolved variable",
                        """
                        output.elasticsearch:
                          hosts: [localhost:9200]
                          service_token: ${FLEET_TEST_UNSET_TOKEN_VARIABLE}
                        inputs: [{type: fleet-server}]
                        """,
                        "output.elasticsearch.service_token",
                        ":3",
                        "${FLEET_TEST_UNSET_TOKEN_VARIABLE} is not set"),
                Arguments.of(
                        "an unreadable service_token_path",
                        """
                        output.elasticsearch:
                          hosts: [localhost:9200]
                          service_token_path: /nonexistent/fleet/token
                        inputs: [{type: fleet-server}]
                        """,
                        "output.elasticsearch.service_token_path",
                        ":3",
                        "cannot read /nonexistent/fleet/token: no such file"),
                Arguments.of("a port out of range", """
                        output.elasticsearch.hosts: [localhost:9200]
                        inputs:
                          - type: fleet-server
                            server:
                              port: 99999
                        """, "inputs[0].server.port", ":5", "99999 is not a valid port"),
                Arguments.of(
                        "a port that is not a number",
                        """
                        output.elasticsearch.hosts: [localhost:9200]
                        inputs:
                          - type: fleet-server
                            server:
                              port: eighty
                        """,
                        "inputs[0].server.port",
                        ":5",
                        "\"eighty\" is not a valid int"),
                Arguments.of(
                        "a bad duration",
                        """
                        output.elasticsearch.hosts: [localhost:9200]
                        inputs:
                          - type: fleet-server
                            server:
                              timeouts:
                                checkin_long_poll: 5 minutes
                        """,
                        "inputs[0].server.timeouts.checkin_long_poll",
                        ":6",
                        "invalid duration \"5 minutes\""),
                Arguments.of(
                        "the elasticsearch store without an output",
                        """
                        fleet.store: elasticsearch
                        inputs: [{type: fleet-server}]
                        """,
                        "output.elasticsearch",
                        ":1",
                        "no Elasticsearch output is configured"),
                Arguments.of(
                        "an unknown store",
                        """
                        fleet.store: mysql
                        """,
                        "fleet.store",
                        ":1",
                        "\"mysql\" is not one of embedded, elasticsearch"),
                Arguments.of(
                        "an operator key that is too short",
                        """
                        fleet.management.api_keys:
                          - id: ops
                            key: short
                        """,
                        "fleet.management.api_keys[0].key",
                        ":3",
                        "at least 16 characters"),
                Arguments.of(
                        "an unknown operator privilege",
                        """
                        fleet.management.api_keys:
                          - id: ops
                            key: 0123456789abcdef0123
                            privileges: [superuser]
                        """,
                        "fleet.management.api_keys[0].privileges[0]",
                        ":4",
                        "\"superuser\" is not one of"),
                Arguments.of(
                        "an enrollment token value on Elasticsearch",
                        """
                        output.elasticsearch.hosts: [localhost:9200]
                        fleet:
                          enrollment_tokens:
                            - policy_id: p1
                              token: aWQ6c2VjcmV0LXZhbHVl
                        """,
                        "fleet.enrollment_tokens[0].token",
                        ":5",
                        "can only be given with the embedded store"),
                Arguments.of(
                        "a preconfigured policy without a name", """
                        fleet:
                          agent_policies:
                            - id: p1
                        """, "fleet.agent_policies[0].name", ":3", "missing"),
                Arguments.of(
                        "an output other than elasticsearch",
                        """
                        output.logstash.hosts: [localhost:5044]
                        inputs: [{type: fleet-server}]
                        """,
                        "output.logstash",
                        ":1",
                        "only the elasticsearch output is supported"),
                Arguments.of("an input of another type", """
                        output.elasticsearch.hosts: [localhost:9200]
                        inputs: [{type: filestream}]
                        """, "inputs[0].type", ":2", "must be of type fleet-server"),
                Arguments.of("invalid YAML", """
                        output.elasticsearch.hosts: [localhost:9200
                        """, "-c", ":2", "not valid YAML: while parsing a flow sequence"),
                Arguments.of("a duplicate key", """
                        output.elasticsearch.hosts: [localhost:9200]
                        inputs: [{type: fleet-server}]
                        inputs: [{type: fleet-server}]
                        """, "-c", ":3", "found duplicate key inputs"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void endsTheProcessWithOneLine(String title, String yaml, String key, String line, String problem) {
        Path file = TestConfigs.write(yaml);

        try (var process = FleetServerProcess.start(Map.of(), "-c", file.toString())) {
            int exit = process.awaitExit(Duration.ofSeconds(60));
            List<String> lines =
                    process.output().lines().filter(l -> !l.isBlank()).toList();

            assertThat(exit).isEqualTo(1);
            assertThat(lines).hasSize(1);
            assertThat(lines.getFirst())
                    .startsWith("fleet-server: invalid configuration: " + key + ": ")
                    .contains(problem)
                    .contains("(" + file + line + ")")
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void alsoWithTheLongOption(String title, String yaml, String key, String line, String problem) {
        Path file = TestConfigs.write(yaml);

        try (var process = FleetServerProcess.start(Map.of(), "--config", file.toString())) {
            assertThat(process.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(process.output()).contains(key).contains(problem);
        }
    }

    @Test
    void aPreconfiguredPolicyBreakingTheManagementApisRulesEndsTheProcessWithOneLine() {
        Path file = TestConfigs.write("""
                output.elasticsearch.hosts: [localhost:9200]
                fleet:
                  agent_policies:
                    - id: p1
                      name: Web
                      namespace: Prod
                """);

        try (var process = FleetServerProcess.start(Map.of(), "-c", file.toString())) {
            assertThat(process.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(process.output().lines().filter(l -> !l.isBlank()).toList())
                    .containsExactly("fleet-server: invalid configuration: fleet.agent_policies[0].namespace:"
                            + " Namespace must be lowercase");
        }
    }
}
