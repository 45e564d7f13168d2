package dev.fleetserver.checkin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fleetserver.action.ActionFeed;
import dev.fleetserver.action.ActionStore;
import java.util.OptionalLong;

/**
 * Resolves an agent's {@code ack_token} (the id of the last action document it received) to that document's
 * position, remembering the last few thousand answers as upstream does. Positions are only valid within one
 * incarnation of the actions store, so the incarnation is part of what is remembered.
 */
final class AckTokens {

    private final ActionStore actions;
    private final ActionFeed feed;
    private final Cache<String, Long> positions =
            Caffeine.newBuilder().maximumSize(5000).build();

    AckTokens(ActionStore actions, ActionFeed feed) {
        this.actions = actions;
        this.feed = feed;
    }

    OptionalLong positionOf(String ackToken) {
        String key = feed.generation() + "/" + ackToken;
        Long cached = positions.getIfPresent(key);
        if (cached != null) {
            return OptionalLong.of(cached);
        }
        OptionalLong found = actions.positionOf(ackToken);
        found.ifPresent(position -> positions.put(key, position));
        return found;
    }
}
