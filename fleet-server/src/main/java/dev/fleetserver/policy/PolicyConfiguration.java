package dev.fleetserver.policy;

import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.FleetCluster;
import dev.fleetserver.apikey.OutputHealth;
import dev.fleetserver.apikey.RemoteClusters;
import dev.fleetserver.limits.EffectiveLimits;
import dev.fleetserver.secret.SecretStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Policy delivery: preparation once per revision, the monitor fed by the policy feed, per-agent rendering. */
@Configuration(proxyBeanMethods = false)
class PolicyConfiguration {

    @Bean
    PolicyMonitor policyMonitor(PolicyStore store, PolicyFeed feed, SecretStore secrets, EffectiveLimits limits) {
        var monitor = new PolicyMonitor(
                store, new PolicyPreparer(secrets), limits.policyPacer().newPacer());
        feed.follow(monitor::onNewRevisions);
        return monitor;
    }

    @Bean
    OutputKeys outputKeys(
            AgentStore agents,
            ApiKeys apiKeys,
            FleetCluster fleetCluster,
            RemoteClusters remoteClusters,
            OutputHealth outputHealth,
            SecretStore secrets,
            PolicyMonitor monitor) {
        return new OutputKeys(agents, apiKeys, fleetCluster, remoteClusters, outputHealth, secrets, monitor::latest);
    }

    @Bean
    PolicyRenderer policyRenderer(OutputKeys outputKeys) {
        return new PolicyRenderer(outputKeys);
    }
}
