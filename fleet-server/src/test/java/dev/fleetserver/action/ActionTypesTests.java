package dev.fleetserver.action;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ActionTypesTests {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "UPGRADE",
                "UNENROLL",
                "POLICY_REASSIGN",
                "SETTINGS",
                "INPUT_ACTION",
                "CANCEL",
                "REQUEST_DIAGNOSTICS",
                "MIGRATE",
                "PRIVILEGE_LEVEL_CHANGE"
            })
    void deliversTheAgentFacingTypes(String type) {
        assertThat(ActionTypes.isDelivered(type)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POLICY_CHANGE", "UPDATE_TAGS", "FORCE_UNENROLL", "upgrade", "", "SOMETHING_NEW"})
    void dropsBookkeepingAndUnknownTypes(String type) {
        // agent-api §21 item 80.
        assertThat(ActionTypes.isDelivered(type)).isFalse();
    }

    @Test
    void dropsActionsWithoutType() {
        assertThat(ActionTypes.isDelivered(null)).isFalse();
    }
}
