package dev.fleetserver.action;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tools.jackson.databind.node.ObjectNode;

/** Port: action documents and action results. */
public interface ActionStore {

    /**
     * Unexpired actions for the agent with a position in {@code (after, upTo]}, oldest first, at most
     * {@code limit}, without their {@code agents} list (agent-api §10.6.1).
     */
    List<ActionDocument> pendingFor(String agentId, long after, long upTo, int limit);

    /** The position of the document an ack token names, if it exists. */
    OptionalLong positionOf(String documentId);

    /** The first document with this action id, without its {@code agents} list. */
    Optional<ActionDocument> findByActionId(String actionId);

    /**
     * Stores an agent's result for an action under {@code <action id>:<agent id>}; storing it again is a success
     * that changes nothing, so acks are idempotent.
     */
    void storeResult(String actionId, String agentId, ObjectNode result);

    /**
     * Deletes actions whose expiration is older than the given age (a date-math age such as {@code 30d}); a
     * missing store deletes nothing.
     *
     * @return how many were deleted
     */
    long deleteExpiredBefore(String age);

    /**
     * Stores a new action document (Kibana's layout, data-model §5.3) under a new random id; it is visible to
     * reads at once and reaches the {@link ActionFeed}.
     *
     * @return the stored document with its id and position (and its {@code agents})
     */
    ActionDocument create(ObjectNode source);

    /** The newest action documents, newest {@code @timestamp} first, at most {@code limit}, with their agents. */
    List<ActionDocument> newest(int limit);

    /** Every result document stored for these actions. */
    List<ObjectNode> resultsOf(Collection<String> actionIds);
}
