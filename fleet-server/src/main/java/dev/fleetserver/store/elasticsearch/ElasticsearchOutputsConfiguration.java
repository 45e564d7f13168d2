package dev.fleetserver.store.elasticsearch;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Clients of the Elasticsearch clusters that policies name as outputs. Agents ship their data to Elasticsearch
 * whichever store holds the fleet, so these exist on the embedded store too.
 */
@Configuration(proxyBeanMethods = false)
class ElasticsearchOutputsConfiguration {

    @Bean(destroyMethod = "close")
    ElasticsearchRemoteClusters elasticsearchRemoteClusters(MeterRegistry registry) {
        return new ElasticsearchRemoteClusters(registry);
    }
}
