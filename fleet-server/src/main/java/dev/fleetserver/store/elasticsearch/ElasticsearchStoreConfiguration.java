package dev.fleetserver.store.elasticsearch;

import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.FleetCluster;
import dev.fleetserver.apikey.OutputHealth;
import dev.fleetserver.auth.ApiKeyVerifier;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.InputConfig;
import dev.fleetserver.config.ServerVersion;
import dev.fleetserver.config.SpringSettings;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import dev.fleetserver.health.StoreProbe;
import dev.fleetserver.secret.SecretStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Elasticsearch adapters of the storage ports, when the fleet lives in Elasticsearch. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = SpringSettings.STORE_PROPERTY, havingValue = "elasticsearch")
class ElasticsearchStoreConfiguration {

    @Bean(destroyMethod = "close")
    ElasticsearchConnection elasticsearchConnection(FleetServerConfig config, MeterRegistry registry) {
        return ElasticsearchConnection.open(config.output().elasticsearch(), registry);
    }

    @Bean
    StoreProbe elasticsearchStoreProbe(ElasticsearchConnection connection, ServerVersion version) {
        return new ElasticsearchStoreProbe(connection, version);
    }

    @Bean
    ApiKeyVerifier elasticsearchApiKeyVerifier(ElasticsearchConnection connection) {
        return new ElasticsearchApiKeyVerifier(connection);
    }

    @Bean
    AgentStore elasticsearchAgentStore(ElasticsearchConnection connection) {
        return new ElasticsearchAgentStore(connection);
    }

    @Bean
    ApiKeys elasticsearchApiKeys(ElasticsearchConnection connection) {
        return new ElasticsearchApiKeys(connection);
    }

    /** The fleet's Elasticsearch is where agents' keys for {@code elasticsearch} outputs are made. */
    @Bean
    FleetCluster elasticsearchFleetCluster(ApiKeys apiKeys) {
        return () -> java.util.Optional.of(apiKeys);
    }

    @Bean
    EnrollmentKeyStore elasticsearchEnrollmentKeyStore(ElasticsearchConnection connection) {
        return new ElasticsearchEnrollmentKeyStore(connection);
    }

    @Bean
    OutputHealth elasticsearchOutputHealth(ElasticsearchConnection connection) {
        return new ElasticsearchOutputHealth(connection);
    }

    @Bean
    SecretStore elasticsearchSecretStore(ElasticsearchConnection connection) {
        return new ElasticsearchSecretStore(connection);
    }

    @Bean
    IndexMonitor actionsMonitor(ElasticsearchConnection connection, FleetServerConfig config) {
        InputConfig.Monitor monitor = config.input().monitor();
        return new IndexMonitor(
                connection, FleetIndex.ACTIONS.indexName(), monitor.pollInterval(), monitor.fetchSize(), true);
    }

    @Bean
    IndexMonitor policiesMonitor(ElasticsearchConnection connection, FleetServerConfig config) {
        InputConfig.Monitor monitor = config.input().monitor();
        return new IndexMonitor(
                connection, FleetIndex.POLICIES.indexName(), monitor.pollInterval(), monitor.fetchSize(), false);
    }

    @Bean
    ElasticsearchActionStore elasticsearchActionStore(
            ElasticsearchConnection connection, @Qualifier("actionsMonitor") IndexMonitor monitor) {
        return new ElasticsearchActionStore(connection, monitor);
    }

    @Bean
    ElasticsearchPolicyStore elasticsearchPolicyStore(
            ElasticsearchConnection connection, @Qualifier("policiesMonitor") IndexMonitor monitor) {
        return new ElasticsearchPolicyStore(connection, monitor);
    }
}
