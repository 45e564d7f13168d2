package dev.fleetserver.enrollment;

import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Port: enrollment key records, in the layout of {@code .fleet-enrollment-api-keys} (data-model §5.5): {@code
 * active}, {@code api_key_id}, {@code api_key}, {@code name}, {@code policy_id}, {@code namespaces}, {@code
 * created_at}, {@code expire_at}, {@code hidden}. Written by Kibana or by the management API. The embedded store
 * never keeps the token itself: it drops {@code api_key} from what it is given (the secret exists there only as a
 * salted hash of the API key), so records read back from it carry {@code api_key_id} alone.
 */
public interface EnrollmentKeyStore {

    /** Active records whose API key has this id (exactly one is expected). */
    List<EnrollmentKey> findActive(String apiKeyId);

    /** Whether a policy with this id has at least one revision (for static policy tokens). */
    boolean policyExists(String policyId);

    /** Stores a new record under {@code id}; visible to every read at once. */
    void create(String id, ObjectNode document);

    Optional<ObjectNode> find(String id);

    /** Every record, newest {@code created_at} first. */
    List<ObjectNode> all();

    /**
     * Sets the given top-level fields; visible to every read at once.
     *
     * @return false when there is no such record
     */
    boolean update(String id, ObjectNode fields);

    /** @return false when there was no such record */
    boolean delete(String id);
}
