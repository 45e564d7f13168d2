package dev.fleetserver.management.agents;

import dev.fleetserver.action.ActionStore;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.config.ServerVersion;
import dev.fleetserver.health.ServerHealth;
import dev.fleetserver.management.policies.AgentPolicyService;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The services behind the agent endpoints, and the agent status metrics. */
@Configuration(proxyBeanMethods = false)
class AgentManagementConfiguration {

    @Bean
    FleetAgents fleetAgents(AgentStore agents, AgentPolicyService policies) {
        return new FleetAgents(agents, policies, Clock.systemUTC());
    }

    @Bean
    AgentManagementService agentManagementService(
            FleetAgents fleet,
            AgentStore agents,
            AgentPolicyService policies,
            ApiKeys apiKeys,
            ActionStore actions,
            ServerVersion version) {
        return new AgentManagementService(
                fleet,
                agents,
                policies,
                apiKeys,
                new KibanaActions(actions, Clock.systemUTC()),
                version.number(),
                Clock.systemUTC());
    }

    @Bean
    BulkDiagnostics bulkDiagnostics(FleetAgents fleet, ActionStore actions) {
        return new BulkDiagnostics(fleet, new KibanaActions(actions, Clock.systemUTC()));
    }

    @Bean
    AgentStatusService agentStatusService(FleetAgents fleet) {
        return new AgentStatusService(fleet);
    }

    @Bean
    ActionStatusService actionStatusService(ActionStore actions, AgentStore agents, AgentPolicyService policies) {
        return new ActionStatusService(actions, agents, policies, Clock.systemUTC());
    }

    @Bean
    AgentStatusMetrics agentStatusMetrics(FleetAgents fleet, ServerHealth health, MeterRegistry registry) {
        return new AgentStatusMetrics(fleet, health, registry);
    }
}
