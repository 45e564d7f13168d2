package dev.fleetserver.action;

import java.util.List;
import java.util.function.Consumer;

/**
 * Port: newly stored actions, in order, as they appear (from any server instance or from Kibana). Pending reads
 * at checkin stop at {@link #position()}; everything after it reaches the consumer, so the two never overlap
 * and never leave a gap.
 */
public interface ActionFeed {

    /** Starts delivering new, unexpired actions to the (single) consumer. */
    void follow(Consumer<List<ActionDocument>> consumer);

    /** The highest position handed to the consumer so far. */
    long position();

    /**
     * Which incarnation of the store positions belong to; changes when the store is re-created (positions restart
     * then). Recorded with an agent's position so that an old position is never applied to a new store.
     */
    String generation();

    /**
     * Whether a position lies beyond the end of the store as it is now, which means it was recorded before the
     * store was re-created (positions restart then) and must not be trusted.
     */
    boolean isBeyondEnd(long position);
}
