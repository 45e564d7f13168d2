package dev.fleetserver.policy;

import dev.fleetserver.secret.SecretStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Prepares each policy revision once (algorithms §9.1): secrets, deliverable keys, permissions and hashes. */
public final class PolicyPreparer {

    private static final Logger log = LoggerFactory.getLogger(PolicyPreparer.class);

    private final SecretStore secrets;

    public PolicyPreparer(SecretStore secrets) {
        this.secrets = secrets;
    }

    public PreparedPolicy prepare(PolicyDocument document) {
        ObjectNode data = document.data().deepCopy();
        Set<String> ids = PolicySecrets.referencedIds(data);
        Map<String, String> values = ids.isEmpty() ? Map.of() : secrets.read(ids);
        if (values.size() < ids.size()) {
            log.warn(
                    "Policy {} revision {} references {} secrets that do not exist; their placeholders stay",
                    document.policyId(),
                    document.revisionIdx(),
                    ids.size() - values.size());
        }
        List<String> secretPaths = PolicySecrets.substitute(data, values);
        ObjectNode deliverable = DeliverablePolicy.of(data, secretPaths);
        Map<String, PreparedPolicy.OutputPermissions> permissions = new LinkedHashMap<>();
        JsonNode outputPermissions = data.path("output_permissions");
        if (outputPermissions.isObject()) {
            for (Map.Entry<String, JsonNode> entry : outputPermissions.properties()) {
                if (entry.getValue() instanceof ObjectNode roles) {
                    permissions.put(
                            entry.getKey(),
                            new PreparedPolicy.OutputPermissions(roles.deepCopy(), PermissionsHash.of(roles)));
                }
            }
        }
        return new PreparedPolicy(
                document.policyId(),
                document.revisionIdx(),
                document.timestamp(),
                deliverable,
                Map.copyOf(permissions));
    }
}
