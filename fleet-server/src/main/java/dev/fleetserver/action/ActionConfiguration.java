package dev.fleetserver.action;

import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.secret.SecretStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Action delivery: secrets in actions, and the dispatcher fed by the action feed. */
@Configuration(proxyBeanMethods = false)
class ActionConfiguration {

    @Bean
    ActionSecrets actionSecrets(SecretStore secrets) {
        return new ActionSecrets(secrets);
    }

    @Bean
    ExpiredActionCleanup expiredActionCleanup(ActionStore actions, FleetServerConfig config) {
        var gc = config.server().gc();
        return new ExpiredActionCleanup(actions, gc.scheduleInterval(), gc.cleanupAfterExpiredInterval());
    }

    @Bean
    ActionDispatcher actionDispatcher(ActionSecrets secrets, ActionFeed feed) {
        var dispatcher = new ActionDispatcher(secrets);
        feed.follow(dispatcher::dispatch);
        return dispatcher;
    }
}
