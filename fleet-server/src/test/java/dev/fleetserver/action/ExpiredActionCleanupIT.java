package dev.fleetserver.action;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestConfigs;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Clean-up of long-expired actions (algorithms §11.1, §15 items 22–23). */
@ExtendWith(NoSecretsInLogs.class)
class ExpiredActionCleanupIT {

    private final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());

    @Test
    void actionsExpiredMoreThan30DaysAgoGoAndNewActionsAreStillDelivered() {
        try (var server = RunningServer.start(TestConfigs.forNode(admin.node(), TestConfigs.SHORT_POLLS))
                .awaitHealthy()) {
            var kibana = new SimulatedKibana(admin, server.agentUri());
            String agentId = "gc-" + UUID.randomUUID();
            var old = kibana.createAction(
                    "SETTINGS",
                    List.of(agentId),
                    action -> action.put(
                            "expiration",
                            Instant.now().minus(31, ChronoUnit.DAYS).toString()));
            var recent = kibana.createAction(
                    "SETTINGS",
                    List.of(agentId),
                    action -> action.put(
                            "expiration",
                            Instant.now().minus(29, ChronoUnit.DAYS).toString()));

            server.context().getBean(ExpiredActionCleanup.class).runOnce();

            assertThat(kibana.actionDocuments(old.actionId())).isEmpty();
            assertThat(kibana.actionDocuments(recent.actionId())).hasSize(1);

            String policyId =
                    kibana.createPolicy("gc-" + UUID.randomUUID().toString().substring(0, 8));
            SimulatedAgent agent = new SimulatedAgent(server.agentUri());
            agent.enroll(kibana.createEnrollmentToken(policyId));
            var first = agent.checkin().actions().getFirst();
            agent.apply(first);
            agent.ack(first);
            var held = agent.checkinAsync();
            var settings = kibana.createAction("SETTINGS", List.of(agent.agentId()));
            assertThat(held.join().actionIds()).containsExactly(settings.actionId());
        }
    }
}
