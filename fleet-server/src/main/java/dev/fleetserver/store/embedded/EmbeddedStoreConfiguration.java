package dev.fleetserver.store.embedded;

import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.FleetCluster;
import dev.fleetserver.apikey.OutputHealth;
import dev.fleetserver.auth.ApiKeyVerifier;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.SpringSettings;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import dev.fleetserver.health.StoreProbe;
import dev.fleetserver.secret.SecretStore;
import java.time.Clock;
import java.util.Optional;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded adapters of every storage port, when the fleet lives in {@code path.data} (no
 * {@code output.elasticsearch}, or {@code fleet.store: embedded}). The database opens when the health monitor
 * prepares the store and closes after everything else has stopped (the checkin writer's last flush included).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = SpringSettings.STORE_PROPERTY, havingValue = "embedded")
class EmbeddedStoreConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedDatabase embeddedDatabase(FleetServerConfig config) {
        return new EmbeddedDatabase(config.dataPath(), EmbeddedDatabase.Settings.defaults());
    }

    @Bean
    StoreProbe embeddedStoreProbe(EmbeddedDatabase database) {
        return new EmbeddedStoreProbe(database);
    }

    @Bean
    ApiKeyVerifier embeddedApiKeyVerifier(EmbeddedDatabase database) {
        return new EmbeddedApiKeyVerifier(database);
    }

    @Bean
    ApiKeys embeddedApiKeys(EmbeddedDatabase database) {
        return new EmbeddedApiKeys(database, Clock.systemUTC());
    }

    /** No fleet Elasticsearch: output keys are made in the outputs' own clusters, or not at all. */
    @Bean
    FleetCluster embeddedFleetCluster() {
        return Optional::empty;
    }

    @Bean
    AgentStore embeddedAgentStore(EmbeddedDatabase database) {
        return new EmbeddedAgentStore(database);
    }

    @Bean
    EnrollmentKeyStore embeddedEnrollmentKeyStore(EmbeddedDatabase database) {
        return new EmbeddedEnrollmentKeyStore(database);
    }

    @Bean
    OutputHealth embeddedOutputHealth(EmbeddedDatabase database) {
        return new EmbeddedOutputHealth(database, Clock.systemUTC());
    }

    @Bean
    SecretStore embeddedSecretStore(EmbeddedDatabase database) {
        return new EmbeddedSecretStore(database);
    }

    @Bean
    EmbeddedActionStore embeddedActionStore(EmbeddedDatabase database, FleetServerConfig config) {
        return new EmbeddedActionStore(database, config.input().monitor().fetchSize(), Clock.systemUTC());
    }

    @Bean
    EmbeddedPolicyStore embeddedPolicyStore(EmbeddedDatabase database, FleetServerConfig config) {
        return new EmbeddedPolicyStore(database, config.input().monitor().fetchSize());
    }
}
