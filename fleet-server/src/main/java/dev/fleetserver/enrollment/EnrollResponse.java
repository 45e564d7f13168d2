package dev.fleetserver.enrollment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fleetserver.apikey.CreatedApiKey;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** The enroll answer exactly as agents validate it (agent-api §9.7). */
record EnrollResponse(String action, Item item) {

    static EnrollResponse of(
            String agentId,
            String policyId,
            String type,
            String enrolledAt,
            @Nullable JsonNode userProvidedMetadata,
            @Nullable JsonNode localMetadata,
            CreatedApiKey accessKey,
            List<String> tags) {
        return new EnrollResponse(
                "created",
                new Item(
                        agentId,
                        true,
                        policyId,
                        type,
                        enrolledAt,
                        userProvidedMetadata,
                        localMetadata,
                        accessKey.id(),
                        accessKey.token(),
                        "online",
                        List.copyOf(tags)));
    }

    /** {@code user_provided_metadata} and {@code local_metadata} are always present, {@code null} when unset. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Item(
            String id,
            boolean active,
            @JsonProperty("policy_id") String policyId,
            String type,
            @JsonProperty("enrolled_at") String enrolledAt,

            @JsonProperty("user_provided_metadata") @Nullable
            JsonNode userProvidedMetadata,

            @JsonProperty("local_metadata") @Nullable JsonNode localMetadata,
            @JsonProperty("access_api_key_id") String accessApiKeyId,
            @JsonProperty("access_api_key") String accessApiKey,
            String status,
            List<String> tags) {

        @Override
        public String toString() {
            return "Item[id=" + id + ", policy_id=" + policyId + "]";
        }
    }
}
