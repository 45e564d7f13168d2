package dev.fleetserver.management.policies;

import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.config.ElasticsearchOutput;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.enrollment.EnrollmentKeyStore;
import dev.fleetserver.enrollment.EnrollmentService;
import dev.fleetserver.policy.PolicyStore;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The services behind the policy and enrollment-key endpoints (they exist whether or not the listener runs). */
@Configuration(proxyBeanMethods = false)
class PolicyManagementConfiguration {

    private static final String KIBANA_DEFAULT_OUTPUT_HOST = "http://localhost:9200";

    @Bean
    EnrollmentApiKeyService enrollmentApiKeyService(
            EnrollmentKeyStore store, ApiKeys apiKeys, PolicyStore policies, EnrollmentService enrollment) {
        return new EnrollmentApiKeyService(store, apiKeys, policies, enrollment, Clock.systemUTC());
    }

    @Bean
    AgentPolicyService agentPolicyService(
            PolicyStore policies, AgentStore agents, EnrollmentApiKeyService enrollmentKeys, FleetServerConfig config) {
        return new AgentPolicyService(policies, agents, enrollmentKeys, defaultOutputs(config), Clock.systemUTC());
    }

    @Bean
    Preconfigurer preconfigurer(
            FleetServerConfig config,
            AgentPolicyService policies,
            EnrollmentApiKeyService keys,
            dev.fleetserver.health.ServerHealth health) {
        return new Preconfigurer(config.preconfiguration(), policies, keys, health);
    }

    @Bean
    QuickStart quickStart(
            FleetServerConfig config,
            AgentPolicyService policies,
            Preconfigurer preconfigurer,
            dev.fleetserver.management.BootstrapOperatorKey operatorKey,
            dev.fleetserver.health.ServerHealth health) {
        return new QuickStart(config, policies, preconfigurer, operatorKey, health, System.out);
    }

    /**
     * The outputs of a policy whose create body names none: like Kibana's default output, the Elasticsearch the
     * fleet lives in (the server's own hosts), as {@code default}; without one Kibana's own default,
     * {@code http://localhost:9200}, since agents refuse a policy without outputs and there is no Elasticsearch to
     * point at (the operator gives the real one in the policy).
     */
    static ObjectNode defaultOutputs(FleetServerConfig config) {
        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        ObjectNode output = outputs.putObject("default");
        output.put("type", "elasticsearch");
        ArrayNode hosts = output.putArray("hosts");
        ElasticsearchOutput es = config.output().elasticsearch();
        if (es == null) {
            hosts.add(KIBANA_DEFAULT_OUTPUT_HOST);
            return outputs;
        }
        for (String host : es.hosts()) {
            hosts.add(host.contains("://") ? host : es.protocol() + "://" + host);
        }
        return outputs;
    }
}
