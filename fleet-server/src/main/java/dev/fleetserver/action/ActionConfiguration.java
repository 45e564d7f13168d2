package dev.fleetserver.action;

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
    ActionDispatcher actionDispatcher(ActionSecrets secrets, ActionFeed feed) {
        var dispatcher = new ActionDispatcher(secrets);
        feed.follow(dispatcher::dispatch);
        return dispatcher;
    }
}
