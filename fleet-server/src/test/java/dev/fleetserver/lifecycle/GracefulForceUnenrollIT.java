package dev.fleetserver.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.TestConfigs;
import dev.fleetserver.testsupport.TestStore;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.node.BooleanNode;

/** Graceful force-unenroll (agent-api §7.8, §21 item 27): empty policy, then UNENROLL, then the 401. */
@ExtendWith(NoSecretsInLogs.class)
class GracefulForceUnenrollIT {

    @Test
    void anInactiveAgentGetsAnEmptyPolicyThenUnenrollThenThe401() {
        String flag = TestConfigs.SHORT_POLLS + """
                      feature_flags:
                        graceful_force_unenroll.enabled: true
                """;
        try (var server = RunningServer.start(TestStore.current().config(flag)).awaitHealthy()) {
            var kibana = TestStore.current().kibana(server);
            String policyId = kibana.createPolicy(
                    "graceful-" + UUID.randomUUID().toString().substring(0, 8));
            SimulatedAgent agent = new SimulatedAgent(server.agentUri());
            agent.enroll(kibana.createEnrollmentToken(policyId));
            kibana.setAgentField(agent.agentId(), "active", BooleanNode.FALSE);

            SimulatedAgent.Checkin first = agent.checkin();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body().has("ack_token")).isFalse();
            assertThat(first.actions()).singleElement().satisfies(action -> {
                assertThat(action.path("type").asString()).isEqualTo("POLICY_CHANGE");
                assertThat(action.path("data").toString()).isEqualTo("{\"policy\":{}}");
                assertThat(action.path("agent_id").asString()).isEqualTo(agent.agentId());
            });

            SimulatedAgent.Checkin second = agent.checkin();
            assertThat(second.actions()).singleElement().satisfies(action -> {
                assertThat(action.path("type").asString()).isEqualTo("UNENROLL");
                assertThat(action.path("data").isNull()).isTrue();
            });

            SimulatedAgent.Checkin third = agent.checkin();
            assertThat(third.status()).isEqualTo(401);
            assertThat(third.body().path("error").asString()).isEqualTo("ErrAgentInactive");
        }
    }

    @Test
    void withoutTheFlagTheFirstCheckinIsAlreadyThe401() {
        try (var server = RunningServer.start(TestStore.current().config(TestConfigs.SHORT_POLLS))
                .awaitHealthy()) {
            var kibana = TestStore.current().kibana(server);
            String policyId = kibana.createPolicy(
                    "graceful-" + UUID.randomUUID().toString().substring(0, 8));
            SimulatedAgent agent = new SimulatedAgent(server.agentUri());
            agent.enroll(kibana.createEnrollmentToken(policyId));
            kibana.setAgentField(agent.agentId(), "active", BooleanNode.FALSE);

            assertThat(agent.checkin().status()).isEqualTo(401);
        }
    }
}
