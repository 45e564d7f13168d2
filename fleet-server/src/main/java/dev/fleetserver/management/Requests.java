package dev.fleetserver.management;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What management controllers read from a request, validated as Kibana validates it: the query string, the JSON
 * body, and the authenticated operator.
 */
public final class Requests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Requests() {}

    /** The query parameters (a repeated one as an array), checked against {@code schema}. */
    public static ObjectNode query(HttpServletRequest request, Schema.ObjectSchema schema) {
        ObjectNode query = JSON.createObjectNode();
        for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
            String[] values = parameter.getValue();
            if (values.length == 1) {
                query.put(parameter.getKey(), values[0]);
            } else {
                ArrayNode array = query.putArray(parameter.getKey());
                for (String value : values) {
                    array.add(value);
                }
            }
        }
        return schema.check(query, "request query");
    }

    /** The JSON body checked against {@code schema}; an absent body is {@code null} to the schema. */
    public static ObjectNode body(@Nullable String body, Schema.ObjectSchema schema) {
        return schema.check(parse(body), "request body");
    }

    /** Like {@link #body}, but an absent (or {@code null}) body is allowed and yields an empty object. */
    public static ObjectNode optionalBody(@Nullable String body, Schema.ObjectSchema schema) {
        JsonNode parsed = parse(body);
        return schema.check(parsed.isNull() ? JSON.createObjectNode() : parsed, "request body");
    }

    public static Operator operator(HttpServletRequest request) {
        return OperatorAuthentication.operator(request);
    }

    private static JsonNode parse(@Nullable String body) {
        if (body == null || body.isBlank()) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            // hapi's answer for a body that is not JSON
            throw new Schema.Violation("", "Invalid request payload JSON format");
        }
    }
}
