package dev.fleetserver.enrollment;

import dev.fleetserver.api.BadRequestException;
import dev.fleetserver.api.JsonFields;
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
    private static final JsonFields FIELDS = new JsonFields("enroll");
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
        String type = FIELDS.string(object, "type");
        JsonNode metadata = FIELDS.object(object, "metadata");
        JsonNode local = metadata == null ? null : metadata.get("local");
        JsonNode tags = metadata == null ? null : FIELDS.strings(metadata, "tags");
        String id = FIELDS.string(object, "id");
        String replaceToken = FIELDS.string(object, "replace_token");
        String enrollmentId = FIELDS.string(object, "enrollment_id");
        FIELDS.string(object, "shared_id");
        if (type == null || !TYPES.contains(type)) {
            throw new UpstreamFailureException("unknown enroll request type");
        }
        return new EnrollRequest(
                type,
                emptyAsAbsent(id),
                emptyAsAbsent(replaceToken),
                emptyAsAbsent(enrollmentId),
                local == null || local.isNull() ? null : local,
                tags(tags));
    }

    private static @Nullable String emptyAsAbsent(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** De-duplicated and sorted by UTF-8 bytes, as Go sorts strings. */
    private static List<String> tags(@Nullable JsonNode tags) {
        Set<String> sorted = new TreeSet<>((a, b) -> java.util.Arrays.compareUnsigned(
                a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        if (tags != null) {
            for (JsonNode tag : tags) {
                sorted.add(tag.asString());
            }
        }
        return new ArrayList<>(sorted);
    }
}
