package dev.fleetserver.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The KQL subset of Fleet's list filters, against one agent-like document whose status is computed. */
class KueryTests {

    private static final ObjectNode AGENT =
            (ObjectNode) JsonMapper.builder().build().readTree("""
            {"policy_id": "linux-web", "tags": ["web", "dmz"], "active": true, "policy_revision_idx": 3,
             "local_metadata": {"host": {"hostname": "web-07.example"}, "elastic": {"agent": {"version": "9.1.2"}}}}
            """);

    private static boolean matches(String query) {
        return Kuery.parse(query, "kuery")
                .matches(Kuery.fieldsOf(
                        AGENT,
                        field -> field.equals("status")
                                ? List.of(JsonNodeFactory.instance.stringNode("online"))
                                : null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            status:online                                    | true
            status:offline                                   | false
            status:(online or offline)                       | true
            status:(offline or error)                        | false
            STATUS:online                                    | false
            status:online and policy_id:linux-web            | true
            status:online AND policy_id:other                | false
            status:offline or policy_id:linux-web            | true
            not status:offline                               | true
            NOT (status:online)                              | false
            policy_id:"linux-web"                            | true
            fleet-agents.policy_id:linux-web                 | true
            tags:dmz                                         | true
            tags:(web and dmz)                               | true
            tags:(web and prod)                              | false
            local_metadata.host.hostname:web-*               | true
            local_metadata.host.hostname:*.example           | true
            local_metadata.host.hostname:db*                 | false
            local_metadata.elastic.agent.version:9.1.2       | true
            policy_revision_idx:3                            | true
            active:true                                      | true
            unenrolled_at:*                                  | false
            policy_id:*                                      | true
            (status:online or status:error) and tags:web     | true
            ``                                               | true
            """)
    void matchesAsKqlWould(String query, boolean expected) {
        assertThat(matches(query)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            status:
            status:(online
            (status:online
            status:online and
            "quoted":x
            status online
            """)
    void malformedQueriesAre400(String query) {
        assertThatThrownBy(() -> Kuery.parse(query, "kuery")).isInstanceOfSatisfying(ManagementException.class, e -> {
            assertThat(e.kind()).isEqualTo(ManagementException.Kind.INVALID);
            assertThat(e.getMessage()).startsWith("KQLSyntaxError: ").contains(query.strip());
        });
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            status:unenrolled                    | true
            STATUS:* and policy_id:x             | true
            status:online                        | false
            status:(online or unenrolled)        | false
            """)
    void unenrolledAgentsAreIncludedOnlyWhenTheQueryNamesThemAsKibanaChecks(String query, boolean expected) {
        assertThat(Kuery.mentionsUnenrolled(query)).isEqualTo(expected);
    }
}
