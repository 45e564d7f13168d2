package dev.fleetserver.api;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Typed reads of request fields that fail like upstream's typed JSON decoding: a field of the wrong JSON type is
 * a decode error (400 {@code Bad request: unable to decode <what> request: …}), absent and {@code null} are
 * "not given".
 */
public final class JsonFields {

    private final String request;

    /** @param request e.g. {@code enroll}, as in upstream's message {@code unable to decode enroll request} */
    public JsonFields(String request) {
        this.request = request;
    }

    public @Nullable String string(JsonNode object, String field) {
        JsonNode value = present(object, field);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            throw mismatch(field, "string");
        }
        return value.asString();
    }

    public @Nullable Long integer(JsonNode object, String field) {
        JsonNode value = present(object, field);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw mismatch(field, "integer");
        }
        return value.asLong();
    }

    public @Nullable JsonNode object(JsonNode object, String field) {
        JsonNode value = present(object, field);
        if (value != null && !value.isObject()) {
            throw mismatch(field, "object");
        }
        return value;
    }

    public @Nullable JsonNode array(JsonNode object, String field) {
        JsonNode value = present(object, field);
        if (value != null && !value.isArray()) {
            throw mismatch(field, "array");
        }
        return value;
    }

    /** An array whose elements must all be strings. */
    public @Nullable JsonNode strings(JsonNode object, String field) {
        JsonNode value = array(object, field);
        if (value != null) {
            for (JsonNode element : value) {
                if (!element.isString()) {
                    throw mismatch(field, "array of strings");
                }
            }
        }
        return value;
    }

    public BadRequestException mismatch(String field, String expected) {
        return new BadRequestException(
                "unable to decode " + request + " request", "json: field " + field + " is not a " + expected);
    }

    private static @Nullable JsonNode present(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? null : value;
    }
}
