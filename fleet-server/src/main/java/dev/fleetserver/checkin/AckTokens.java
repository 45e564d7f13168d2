package dev.fleetserver.checkin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fleetserver.action.ActionStore;
import java.util.OptionalLong;

/**
 * Resolves an agent's {@code ack_token} (the id of the last action document it received) to that document's
 * position, remembering the last few thousand answers as upstream does.
 */
final class AckTokens {

    private final ActionStore actions;
    private final Cache<String, Long> positions =
            Caffeine.newBuilder().maximumSize(5000).build();

    AckTokens(ActionStore actions) {
        this.actions = actions;
    }

    OptionalLong positionOf(String ackToken) {
        Long cached = positions.getIfPresent(ackToken);
        if (cached != null) {
            return OptionalLong.of(cached);
        }
        OptionalLong found = actions.positionOf(ackToken);
        found.ifPresent(position -> positions.put(ackToken, position));
        return found;
    }
}
