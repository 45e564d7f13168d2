package dev.fleetserver.management;

import dev.fleetserver.apikey.ApiKeyRetirement;
import dev.fleetserver.apikey.ApiKeys;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invalidates API keys for a management request, including keys created moments ago: the store creates keys
 * without a refresh, so a key may not be visible to invalidation for about a second. Keys the first attempt
 * missed are retried until they show up, for a few seconds (not upstream's minute: an operator is waiting).
 */
public final class KeyInvalidation {

    private static final Logger log = LoggerFactory.getLogger(KeyInvalidation.class);

    private KeyInvalidation() {}

    /** @return the ids that could not be invalidated (unknown to the store) */
    public static Set<String> invalidate(ApiKeys keys, Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        Set<String> missing = new LinkedHashSet<>(ids);
        missing.removeAll(keys.invalidate(ids));
        ApiKeyRetirement retirement = new ApiKeyRetirement(keys, Duration.ofSeconds(5), Duration.ofMillis(250));
        missing.removeIf(retirement::retire);
        if (!missing.isEmpty()) {
            log.warn("API keys {} could not be invalidated: the store does not know them", missing);
        }
        return missing;
    }
}
