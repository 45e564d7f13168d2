package dev.fleetserver.action;

import dev.fleetserver.policy.PolicySecrets;
import dev.fleetserver.secret.SecretStore;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Resolves {@code $co.elastic.secret{…}} references in an action's {@code data} and drops its
 * {@code secret_references}. Applied on both delivery paths, pending and live (upstream resolves only live ones,
 * Quirk Q8): an unresolved reference must never reach an agent.
 */
public final class ActionSecrets {

    private static final Logger log = LoggerFactory.getLogger(ActionSecrets.class);

    private final SecretStore secrets;

    public ActionSecrets(SecretStore secrets) {
        this.secrets = secrets;
    }

    /** The action document with its secrets substituted (a copy when anything changed). */
    public ObjectNode resolve(ObjectNode source) {
        if (!source.has("secret_references")) {
            return source;
        }
        Set<String> ids = new HashSet<>();
        for (JsonNode reference : source.path("secret_references")) {
            String id = reference.path("id").asString("");
            if (!id.isEmpty()) {
                ids.add(id);
            }
        }
        ObjectNode copy = source.deepCopy();
        Map<String, String> values = ids.isEmpty() ? Map.of() : secrets.read(ids);
        if (values.size() < ids.size()) {
            log.warn(
                    "Action {} references secrets that do not exist",
                    copy.path("action_id").asString(""));
        }
        PolicySecrets.substituteAction(copy, values);
        return copy;
    }
}
