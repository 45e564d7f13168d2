package dev.fleetserver.enrollment;

import dev.fleetserver.api.BadRequestException;
import dev.fleetserver.api.UpstreamFailureException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The enroll body (agent-api §9.1). Empty {@code id}, {@code replace_token} and {@code enrollment_id} count as
 * absent, as real agents always send the first two as {@code ""}.
 *
 * @param localMetadata {@code metadata.local}, any JSON, or null
 * @param tags de-duplicated and sorted
 */
record EnrollRequest(
        String type,
        @Nullable String id,
        @Nullable String replaceToken,
        @Nullable String enrollmentId,
        @Nullable JsonNode localMetadata,
        List<String> tags) {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> TYPES = Set.of("PERMANENT", "EPHEMERAL", "TEMPORARY");

    static EnrollRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new BadRequestException("unable to decode enroll request", e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new BadRequestException(
                    "unable to decode enroll request",
                    root == null || root.isMissingNode() ? "EOF" : "not a JSON object");
        }
        ObjectNode object = (ObjectNode) root;
        String type = object.path("type").asString("");
        if (!TYPES.contains(type)) {
            throw new UpstreamFailureException("unknown enroll request type");
        }
        JsonNode metadata = object.path("metadata");
        JsonNode local = metadata.get("local");
        return new EnrollRequest(
                type,
                nonEmpty(object, "id"),
                nonEmpty(object, "replace_token"),
                nonEmpty(object, "enrollment_id"),
                local == null || local.isNull() ? null : local,
                tags(metadata.path("tags")));
    }

    private static @Nullable String nonEmpty(ObjectNode object, String field) {
        JsonNode value = object.get(field);
        return value != null && value.isString() && !value.asString().isEmpty() ? value.asString() : null;
    }

    private static List<String> tags(JsonNode tags) {
        Set<String> sorted = new TreeSet<>();
        if (tags.isArray()) {
            for (JsonNode tag : tags) {
                if (tag.isString()) {
                    sorted.add(tag.asString());
                }
            }
        }
        return new ArrayList<>(sorted);
    }
}
