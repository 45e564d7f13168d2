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

    /**
     * The outputs of a policy whose create body names none: like Kibana's default output, the Elasticsearch the
     * fleet lives in (the server's own hosts), as {@code default}; none on the embedded store.
     */
    static ObjectNode defaultOutputs(FleetServerConfig config) {
        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        ElasticsearchOutput es = config.output().elasticsearch();
        if (es != null) {
            ObjectNode output = outputs.putObject("default");
            output.put("type", "elasticsearch");
            ArrayNode hosts = output.putArray("hosts");
            for (String host : es.hosts()) {
                hosts.add(host.contains("://") ? host : es.protocol() + "://" + host);
            }
        }
        return outputs;
    }
}
