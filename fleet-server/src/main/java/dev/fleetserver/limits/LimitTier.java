package dev.fleetserver.limits;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One row of upstream's limit tiers (config-and-ops §5): an agent-count tier such as {@code lte0500}, or the
 * built-in defaults that apply when no tier is selected. The numbers themselves are in {@link LimitTable}.
 *
 * @param name upstream's tier file name without {@code _limits.yml}, or {@code built-in}
 * @param minAgents lowest {@code max_agents} the tier is chosen for (0 for the built-in defaults)
 * @param maxAgents highest {@code max_agents} the tier is chosen for ({@link Integer#MAX_VALUE} for {@code max})
 * @param recommendedMemoryMiB upstream's {@code recommended_min_ram}; 0 for the built-in defaults
 * @param maxConnections in-flight request cap; 0 = none
 * @param cacheNumCounters default of {@code cache.num_counters}
 * @param cacheMaxCost default of {@code cache.max_cost}, in bytes
 * @param rates the limiters the tier sets, by upstream's {@code <name>} ({@code checkin}, {@code action}, …);
 *     a limiter a tier file leaves out inherits the built-in default
 */
public record LimitTier(
        String name,
        int minAgents,
        int maxAgents,
        long recommendedMemoryMiB,
        int maxConnections,
        long cacheNumCounters,
        long cacheMaxCost,
        Map<String, Rate> rates) {

    public static final String BUILT_IN_NAME = "built-in";

    public LimitTier {
        rates = Map.copyOf(rates);
    }

    /**
     * One limiter of a tier: {@code interval / burst / max} as the spec's tables write them.
     *
     * @param interval refill period of the token bucket; zero = not rate limited (or: unpaced)
     * @param burst bucket size
     * @param max concurrent requests; 0 = no cap (pacers have none)
     */
    public record Rate(Duration interval, int burst, int max) {}

    /** The eight agent-count tiers, smallest first. */
    public static List<LimitTier> tiers() {
        return LimitTable.TIERS;
    }

    /** The built-in defaults: not a tier upstream, but shaped like one so that merging is the same. */
    public static LimitTier builtIn() {
        return LimitTable.BUILT_IN;
    }

    /** The tier whose agent range contains {@code agents}. */
    public static Optional<LimitTier> forAgents(int agents) {
        return tiers().stream()
                .filter(tier -> agents >= tier.minAgents() && agents <= tier.maxAgents())
                .findFirst();
    }

    /** The tier with the largest recommended memory not above {@code availableBytes}; none below 256 MiB. */
    public static Optional<LimitTier> forMemory(long availableBytes) {
        return tiers().reversed().stream()
                .filter(tier -> tier.recommendedMemoryBytes() <= availableBytes)
                .findFirst();
    }

    public boolean isBuiltIn() {
        return name.equals(BUILT_IN_NAME);
    }

    public long recommendedMemoryBytes() {
        return recommendedMemoryMiB * 1024 * 1024;
    }

    /** The tier's value for a limiter, or {@code null} when its file leaves the limiter out. */
    public @Nullable Rate rate(String limiter) {
        return rates.get(limiter);
    }
}
