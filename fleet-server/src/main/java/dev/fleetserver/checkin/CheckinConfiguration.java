package dev.fleetserver.checkin;

import dev.fleetserver.action.ActionDispatcher;
import dev.fleetserver.action.ActionFeed;
import dev.fleetserver.action.ActionSecrets;
import dev.fleetserver.action.ActionStore;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.auth.AgentAuthenticator;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.ServerVersion;
import dev.fleetserver.policy.OutputKeys;
import dev.fleetserver.policy.PolicyMonitor;
import dev.fleetserver.policy.PolicyRenderer;
import java.util.concurrent.Executors;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Checkins: the long poll, the batched state writer, the held polls. */
@Configuration(proxyBeanMethods = false)
class CheckinConfiguration {

    /** Upstream flushes checkin state every 10 s (our {@code bulk.checkin.flush_interval}, same default). */
    @Bean
    CheckinWriter checkinWriter(AgentStore agents, FleetServerConfig config) {
        return new CheckinWriter(agents, config.server().bulk().checkin().flushInterval());
    }

    @Bean
    HeldCheckins heldCheckins(FleetServerConfig config) {
        return new HeldCheckins(config.server().timeouts().checkinTimestamp());
    }

    @Bean
    ResponseCompression responseCompression(FleetServerConfig config) {
        return new ResponseCompression(
                config.server().compressionLevel(), config.server().compressionThreshold());
    }

    @Bean
    CheckinService checkinService(
            FleetServerConfig config,
            AgentAuthenticator authenticator,
            ServerVersion version,
            AgentStore agents,
            ActionStore actions,
            ActionFeed actionFeed,
            ActionDispatcher dispatcher,
            ActionSecrets actionSecrets,
            PolicyMonitor policies,
            PolicyRenderer renderer,
            ResponseCompression compression,
            OutputKeys outputKeys,
            CheckinWriter writer,
            HeldCheckins held) {
        return new CheckinService(
                authenticator,
                version,
                config.server().timeouts(),
                config.server().featureFlags(),
                actions,
                actionFeed,
                dispatcher,
                actionSecrets,
                new AckTokens(actions, actionFeed),
                policies,
                renderer,
                new PolicyChangeTemplates(compression),
                outputKeys,
                new UpgradeDetailsWriter(agents, actions),
                writer,
                held,
                // Rendering a policy may create API keys: blocking calls, so each on its own virtual thread.
                Executors.newVirtualThreadPerTaskExecutor());
    }
}
