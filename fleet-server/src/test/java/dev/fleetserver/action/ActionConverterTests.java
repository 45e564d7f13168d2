package dev.fleetserver.action;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ActionConverterTests {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final String AGENT = "3f1c9a52-6b0e-4d7a-9e21-8c44d05b7f13";

    private static ObjectNode json(String singleQuoted) {
        return (ObjectNode) MAPPER.readTree(singleQuoted.replace('\'', '"'));
    }

    /** A stored action of {@code type} with {@code dataMember} (e.g. {@code 'data': {...},}) spliced in. */
    private static ObjectNode document(String type, String dataMember) {
        return json("""
                {'action_id': 'act-1', 'type': '%s', %s
                 '@timestamp': '2025-02-11T10:00:00Z', 'expiration': '2025-02-12T10:05:00Z',
                 'agents': ['%s'], 'user_id': 'ops-admin', 'namespaces': ['default'],
                 'rollout_duration_seconds': 600, 'minimum_execution_duration': 1800,
                 'secret_references': [{'id': 's'}]}
                """.formatted(type, dataMember, AGENT));
    }

    private static ObjectNode wire(ObjectNode source) {
        return ActionConverter.toWire(source, AGENT, null).orElseThrow();
    }

    private static JsonNode wireData(String type, String dataMember) {
        return wire(document(type, dataMember)).get("data");
    }

    @Test
    void sendsTheCommonFieldsAndNothingElse() {
        // agent-api §21 item 75.
        ObjectNode action = wire(document("SETTINGS", "'data': {'log_level': 'debug'},"));

        assertThat(action).isEqualTo(json("""
                        {'id': 'act-1', 'type': 'SETTINGS', 'agent_id': '%s',
                         'created_at': '2025-02-11T10:00:00Z', 'input_type': '',
                         'data': {'log_level': 'debug'}, 'expiration': '2025-02-12T10:05:00Z'}
                        """.formatted(AGENT)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"POLICY_CHANGE", "UPDATE_TAGS", "FORCE_UNENROLL", "NOT_A_TYPE"})
    void dropsTypesThatAreNotDelivered(String type) {
        // agent-api §21 item 80.
        assertThat(ActionConverter.toWire(document(type, "'data': {},"), AGENT, null))
                .isEqualTo(Optional.empty());
    }

    @Test
    void dropsDocumentsWithoutOrWithANonStringType() {
        assertThat(ActionConverter.toWire(json("{'action_id': 'a', 'data': {}}"), AGENT, null))
                .isEmpty();
        assertThat(ActionConverter.toWire(json("{'action_id': 'a', 'type': 1}"), AGENT, null))
                .isEmpty();
    }

    @Test
    void unenrollAlwaysCarriesNullData() {
        // agent-api §21 item 81.
        assertThat(wireData("UNENROLL", "").isNull()).isTrue();
        assertThat(wireData("UNENROLL", "'data': {'anything': 1},").isNull()).isTrue();
        assertThat(wire(document("UNENROLL", "")).has("data")).isTrue();
    }

    @Test
    void diagnosticsDataIsNullOrReducedToTheKnownKeys() {
        // agent-api §21 item 82.
        assertThat(wireData("REQUEST_DIAGNOSTICS", "").isNull()).isTrue();
        assertThat(wireData("REQUEST_DIAGNOSTICS", "'data': null,").isNull()).isTrue();
        assertThat(wireData("REQUEST_DIAGNOSTICS", "'data': {'additional_metrics': ['CPU'], 'junk': 1},"))
                .isEqualTo(json("{'additional_metrics': ['CPU']}"));
        assertThat(wireData("REQUEST_DIAGNOSTICS", "'data': {},")).isEqualTo(json("{}"));
        assertThat(wireData(
                        "REQUEST_DIAGNOSTICS",
                        "'data': {'additional_metrics': ['CPU', 'CONN'], 'exclude_events_log': true},"))
                .isEqualTo(json("{'additional_metrics': ['CPU', 'CONN'], 'exclude_events_log': true}"));
    }

    @Test
    void upgradeKeepsVersionSourceAndRollbackAndTheSchedule() {
        // agent-api §21 item 83.
        ObjectNode source = document(
                "UPGRADE",
                "'data': {'version': '9.6.1', 'source_uri': 'https://x', 'extra': 1}, "
                        + "'start_time': '2025-02-11T10:05:00Z',");

        ObjectNode action = wire(source);

        assertThat(action.get("data")).isEqualTo(json("{'version': '9.6.1', 'source_uri': 'https://x'}"));
        assertThat(action.get("start_time").stringValue()).isEqualTo("2025-02-11T10:05:00Z");
        assertThat(action.get("expiration").stringValue()).isEqualTo("2025-02-12T10:05:00Z");
        assertThat(wireData("UPGRADE", "'data': {'version': '9.6.1', 'rollback': true},"))
                .isEqualTo(json("{'version': '9.6.1', 'rollback': true}"));
        assertThat(wireData("UPGRADE", "'data': {},")).isEqualTo(json("{'version': ''}"));
    }

    @Test
    void inputActionsKeepTheirDataInputTypeAndTimeout() {
        // agent-api §21 item 84.
        ObjectNode action = wire(document(
                "INPUT_ACTION",
                "'input_type': 'osquery', 'timeout': 300, 'data': {'query': 'select 1', 'id': 'q', 'x': [1]},"));

        assertThat(action.get("input_type").stringValue()).isEqualTo("osquery");
        assertThat(action.get("timeout").isNumber()).isTrue();
        assertThat(action.get("timeout").asLong()).isEqualTo(300);
        assertThat(action.get("data")).isEqualTo(json("{'query': 'select 1', 'id': 'q', 'x': [1]}"));
    }

    @Test
    void aZeroTimeoutIsLeftOut() {
        assertThat(wire(document("INPUT_ACTION", "'timeout': 0, 'data': {},")).has("timeout"))
                .isFalse();
    }

    @Test
    void cancelAlwaysNamesItsTarget() {
        // agent-api §21 item 85.
        assertThat(wireData("CANCEL", "'data': {},")).isEqualTo(json("{'target_id': ''}"));
        assertThat(wireData("CANCEL", "'data': {'target_id': 'act-0', 'other': 1},"))
                .isEqualTo(json("{'target_id': 'act-0'}"));
        assertThat(ActionConverter.toWire(document("CANCEL", ""), AGENT, null)).isEmpty();
    }

    @Test
    void migrateKeepsOnlyItsThreeKeys() {
        // agent-api §21 item 86.
        assertThat(wireData(
                        "MIGRATE",
                        "'data': {'enrollment_token': 'tok', 'target_uri': 'https://new', "
                                + "'settings': {'tags': ['a'], 'n': 1}, 'policy_id': 'p'},"))
                .isEqualTo(
                        json(
                                "{'enrollment_token': 'tok', 'target_uri': 'https://new', 'settings': {'tags': ['a'], 'n': 1}}"));
        assertThat(wireData("MIGRATE", "'data': {'policy_id': 'p'},"))
                .isEqualTo(json("{'enrollment_token': '', 'target_uri': ''}"));
    }

    @Test
    void policyReassignAndSettingsKeepTheirOneKey() {
        assertThat(wireData("POLICY_REASSIGN", "'data': {'policy_id': 'p2', 'x': 1},"))
                .isEqualTo(json("{'policy_id': 'p2'}"));
        assertThat(wireData("POLICY_REASSIGN", "'data': {},")).isEqualTo(json("{'policy_id': ''}"));
        assertThat(wireData("SETTINGS", "'data': {'x': 1},")).isEqualTo(json("{}"));
    }

    @Test
    void privilegeLevelChangeKeepsTheFlagAndTheUserFields() {
        assertThat(wireData("PRIVILEGE_LEVEL_CHANGE", "'data': {},")).isEqualTo(json("{'unprivileged': false}"));
        assertThat(wireData(
                        "PRIVILEGE_LEVEL_CHANGE",
                        "'data': {'unprivileged': true, 'extra': 1, "
                                + "'user_info': {'username': 'u', 'password': 'p', 'groupname': 'g', 'uid': 5}},"))
                .isEqualTo(json(
                        "{'unprivileged': true, 'user_info': {'username': 'u', 'password': 'p', 'groupname': 'g'}}"));
        assertThat(wireData("PRIVILEGE_LEVEL_CHANGE", "'data': {'user_info': {}},"))
                .isEqualTo(json("{'unprivileged': false, 'user_info': {}}"));
    }

    @Test
    void passesTheSignatureThrough() {
        // agent-api §21 item 87.
        ObjectNode signed = wire(
                document("UPGRADE", "'data': {'version': '9.1.3'}, 'signed': {'data': 'eyJ9', 'signature': 'c2ln'},"));
        ObjectNode partly = wire(document("UPGRADE", "'data': {'version': '9.1.3'}, 'signed': {'data': 'eyJ9'},"));

        assertThat(signed.get("signed")).isEqualTo(json("{'data': 'eyJ9', 'signature': 'c2ln'}"));
        assertThat(partly.get("signed")).isEqualTo(json("{'data': 'eyJ9'}"));
        assertThat(wire(document("UPGRADE", "'data': {'version': '9.1.3'},")).has("signed"))
                .isFalse();
    }

    @Test
    void passesTraceparentThroughAndLeavesEmptyOptionalFieldsOut() {
        ObjectNode action = wire(document(
                "UNENROLL",
                "'traceparent': '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'start_time': '',"));

        assertThat(action.get("traceparent").stringValue())
                .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(action.has("start_time")).isFalse();
    }

    @Test
    void theRolloutStartTimeReplacesTheStoredOne() {
        ObjectNode source = document("UPGRADE", "'data': {'version': '9.1.3'}, 'start_time': '2025-02-11T10:05:00Z',");
        ObjectNode unscheduled = document("UPGRADE", "'data': {'version': '9.1.3'},");

        assertThat(ActionConverter.toWire(source, AGENT, "2025-02-11T10:08:20Z")
                        .orElseThrow()
                        .get("start_time")
                        .stringValue())
                .isEqualTo("2025-02-11T10:08:20Z");
        assertThat(ActionConverter.toWire(unscheduled, AGENT, "2025-02-11T10:08:20Z")
                        .orElseThrow()
                        .get("start_time")
                        .stringValue())
                .isEqualTo("2025-02-11T10:08:20Z");
    }

    @Test
    void missingEnvelopeFieldsBecomeEmptyStrings() {
        ObjectNode action = ActionConverter.toWire(json("{'type': 'UNENROLL'}"), AGENT, null)
                .orElseThrow();

        assertThat(action).isEqualTo(json("""
                        {'id': '', 'type': 'UNENROLL', 'agent_id': '%s', 'created_at': '', 'input_type': '', 'data': null}
                        """.formatted(AGENT)));
    }

    @Test
    void theSourceDocumentIsNotChanged() {
        ObjectNode source = document("INPUT_ACTION", "'data': {'query': 'select 1'},");
        ObjectNode before = source.deepCopy();

        ObjectNode action = wire(source);
        ((ObjectNode) action.get("data")).put("query", "changed");

        assertThat(source).isEqualTo(before);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            UPGRADE                |
            UPGRADE                | 'data': null,
            UPGRADE                | 'data': 'x',
            UPGRADE                | 'data': [],
            UPGRADE                | 'data': {'version': 9},
            UPGRADE                | 'data': {'version': '9', 'source_uri': 1},
            UPGRADE                | 'data': {'version': '9', 'rollback': 'yes'},
            SETTINGS               |
            SETTINGS               | 'data': {'log_level': 3},
            POLICY_REASSIGN        |
            POLICY_REASSIGN        | 'data': {'policy_id': ['p']},
            CANCEL                 | 'data': 'act-0',
            CANCEL                 | 'data': {'target_id': {}},
            REQUEST_DIAGNOSTICS    | 'data': 'x',
            REQUEST_DIAGNOSTICS    | 'data': {'additional_metrics': 'CPU'},
            REQUEST_DIAGNOSTICS    | 'data': {'additional_metrics': [1]},
            REQUEST_DIAGNOSTICS    | 'data': {'exclude_events_log': 'true'},
            INPUT_ACTION           |
            INPUT_ACTION           | 'data': 'select 1',
            MIGRATE                |
            MIGRATE                | 'data': {'target_uri': 5},
            PRIVILEGE_LEVEL_CHANGE |
            PRIVILEGE_LEVEL_CHANGE | 'data': {'unprivileged': 'true'},
            PRIVILEGE_LEVEL_CHANGE | 'data': {'user_info': 'u'},
            PRIVILEGE_LEVEL_CHANGE | 'data': {'user_info': {'username': 1}},
            UNENROLL               | 'timeout': 'soon',
            UNENROLL               | 'timeout': 1.5,
            UNENROLL               | 'start_time': 1739268300,
            UNENROLL               | 'signed': 'sig',
            UNENROLL               | 'signed': {'data': 1},
            """)
    void dropsDocumentsThatDoNotFitTheirTypesShape(String type, String member) {
        ObjectNode source = document(type, member == null ? "" : member);

        assertThat(ActionConverter.toWire(source, AGENT, null)).isEmpty();
    }

    @Test
    void anIntegralFloatTimeoutIsAcceptedAsANumber() {
        assertThat(wire(document("INPUT_ACTION", "'timeout': 300.0, 'data': {},"))
                        .get("timeout")
                        .asLong())
                .isEqualTo(300);
    }
}
