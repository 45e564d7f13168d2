package dev.fleetserver.agent;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import tools.jackson.databind.node.ObjectNode;

/**
 * Port: the agent documents. Reads by id are real-time; searches see only refreshed writes, so writes that a
 * search may soon look for are made visible at once.
 */
public interface AgentStore {

    Optional<Agent> findById(String agentId);

    /** The agent whose access API key has this id (first hit). */
    Optional<Agent> findByAccessApiKeyId(String apiKeyId);

    /** The agent enrolled with this enrollment id, looking at every write so far. */
    Optional<Agent> findByEnrollmentId(String enrollmentId);

    /**
     * Creates the document; it is visible to searches afterwards.
     *
     * @return false when a document with that id already exists
     */
    boolean create(String agentId, ObjectNode document);

    /** Deletes the document if it exists; visible to searches afterwards. */
    void delete(String agentId);

    /**
     * Sets the given top-level fields (a {@code null} value stores null), leaving every other field as it is;
     * retried on concurrent changes; visible to searches afterwards.
     *
     * @return false when the document does not exist
     */
    boolean update(String agentId, ObjectNode fields);

    /**
     * Edits the stored JSON tree and writes it back only if nobody changed it meanwhile, retrying from a fresh
     * read on conflict. For changes a partial update cannot express: removing fields, replacing objects, or
     * changes that depend on the current value. {@code edit} returns false to leave the document alone.
     *
     * @return false when the document does not exist or {@code edit} declined
     */
    boolean modify(String agentId, Predicate<ObjectNode> edit);

    /**
     * Many partial updates in one round trip (checkin state). Missing documents are skipped.
     *
     * @param refresh make the writes visible to searches at once
     */
    void updateAll(Map<String, ObjectNode> fieldsByAgent, boolean refresh);

    /** Ids of agents whose document matches a field value, for tests and tools. */
    List<String> idsWhere(String field, String value);

    /**
     * Hands every agent document to {@code consumer}, in no particular order, as of a moment shortly before the
     * call (management listings and status counts). Writes made while it runs may or may not be seen.
     */
    void forEachAgent(Consumer<Agent> consumer);
}
