package dev.fleetserver.checkin;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * {@code unhealthy_reason} from the components an agent reports (agent-api §10.8): {@code input} and/or
 * {@code output} from failed or degraded units of failed or degraded components, {@code other} when such a
 * component has no such unit. All healthy keeps the previous value, as upstream does (Quirk Q9).
 */
final class UnhealthyReasons {

    private UnhealthyReasons() {}

    static @Nullable List<String> of(JsonNode components) {
        boolean input = false;
        boolean output = false;
        boolean other = false;
        for (JsonNode component : components) {
            if (!unhealthy(component.path("status").asString(""))) {
                continue;
            }
            boolean unit = false;
            for (JsonNode u : component.path("units")) {
                if (unhealthy(u.path("status").asString(""))) {
                    String type = u.path("type").asString("");
                    if (type.equals("input")) {
                        input = true;
                        unit = true;
                    } else if (type.equals("output")) {
                        output = true;
                        unit = true;
                    }
                }
            }
            other |= !unit;
        }
        List<String> reasons = new ArrayList<>();
        if (input) {
            reasons.add("input");
        }
        if (output) {
            reasons.add("output");
        }
        if (reasons.isEmpty() && other) {
            reasons.add("other");
        }
        return reasons.isEmpty() ? null : reasons;
    }

    private static boolean unhealthy(String status) {
        return status.equals("FAILED") || status.equals("DEGRADED");
    }
}
