package dev.fleetserver.store.elasticsearch;

import dev.fleetserver.auth.ApiKeyVerifier;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.ServerVersion;
import dev.fleetserver.health.StoreProbe;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Elasticsearch adapters of the storage ports. */
@Configuration(proxyBeanMethods = false)
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
}
