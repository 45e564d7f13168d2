package dev.fleetserver.limits;

import dev.fleetserver.config.ServerConfig;
import dev.fleetserver.config.ServerLimits;
import dev.fleetserver.web.Route;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The limits the server runs with: the configured {@code limits.*} merged over the tier that
 * {@code max_agents} (or the available memory) selects, as config-and-ops §4 describes.
 *
 * <p>Tier: {@code max_agents > 0} picks the tier whose agent range contains it; {@code 0} the tier with the
 * largest recommended memory not above the available memory (below 256 MiB: the built-in defaults);
 * {@code < 0} the built-in defaults. Merging: every value the configuration sets to something other than 0
 * wins; 0 or absent inherits the tier's value, and a limiter a tier leaves out inherits the built-in default
 * (this is how every tier gets the body caps and the OpAMP limit). So, as upstream, a limit the tier sets
 * cannot be switched off with 0; {@code max_agents: -1} gives the built-in defaults instead.
 *
 * <p>Deviation from upstream, recommended by the spec: a configured {@code max_file_storage_size} is kept
 * (upstream lets the tier overwrite it).
 */
public final class EffectiveLimits {

    private final LimitTier tier;
    private final long availableMemory;
    private final Map<Route, RouteLimit> routes = new EnumMap<>(Route.class);
    private final int maxConnections;
    private final long checkinMaxBodyDecompressed;
    private final PacerLimit actionPacer;
    private final PacerLimit policyPacer;
    private final @Nullable Long maxFileStorageSize;

    private EffectiveLimits(ServerLimits configured, LimitTier tier, long availableMemory) {
        this.tier = tier;
        this.availableMemory = availableMemory;
        for (Route route : Route.values()) {
            routes.put(route, merge(configured(configured, route), limiterName(route)));
        }
        // A negative value is "set" too, and switches the tier's cap off, as upstream only applies caps above 0.
        this.maxConnections =
                Math.max(0, configured.maxConnections() != 0 ? configured.maxConnections() : tier.maxConnections());
        Long decompressed = configured.checkinLimit().maxBodyDecompressed();
        this.checkinMaxBodyDecompressed = isSet(decompressed) ? decompressed : LimitTable.CHECKIN_MAX_BODY_DECOMPRESSED;
        this.actionPacer = pacer(configured.actionLimit(), "action");
        PacerLimit policy = pacer(configured.policyLimit(), "policy");
        // Upstream forces the policy pacer's burst to at least 1: with 0 no policy would ever be handed out.
        this.policyPacer = new PacerLimit(policy.interval(), Math.max(1, policy.burst()));
        Long fileStorage = configured.maxFileStorageSize();
        this.maxFileStorageSize = isSet(fileStorage) ? fileStorage : null;
    }

    /** The effective limits for the server's configuration, with the memory detected on this machine. */
    public static EffectiveLimits of(ServerConfig server) {
        return resolve(server.limits(), AvailableMemory.detect(server.runtime().memoryLimit()));
    }

    /** The effective limits for {@code configured} when {@code availableMemoryBytes} of memory are available. */
    public static EffectiveLimits resolve(ServerLimits configured, long availableMemoryBytes) {
        return new EffectiveLimits(
                configured, selectTier(configured.maxAgents(), availableMemoryBytes), availableMemoryBytes);
    }

    static LimitTier selectTier(int maxAgents, long availableMemoryBytes) {
        if (maxAgents < 0) {
            return LimitTier.builtIn();
        }
        if (maxAgents > 0) {
            return LimitTier.forAgents(maxAgents).orElseThrow();
        }
        return LimitTier.forMemory(availableMemoryBytes).orElse(LimitTier.builtIn());
    }

    /** The selected tier, possibly the built-in defaults. */
    public LimitTier tier() {
        return tier;
    }

    /** {@code lte0500} … {@code max}, or {@code built-in}. */
    public String tierName() {
        return tier.name();
    }

    /** The memory the tier selection saw, in bytes. */
    public long availableMemory() {
        return availableMemory;
    }

    /** Whether a tier was chosen by agent count for a machine with less memory than the tier recommends. */
    public boolean isBelowRecommendedMemory() {
        return !tier.isBuiltIn() && availableMemory < tier.recommendedMemoryBytes();
    }

    public RouteLimit route(Route route) {
        return routes.get(route);
    }

    /** The in-flight request cap of a listener; 0 = none. */
    public int maxConnections() {
        return maxConnections;
    }

    /** The hard TCP cap of a listener, {@code floor(1.1 × max_connections)}; 0 = none. */
    public long maxOpenConnections() {
        // Integer arithmetic: exactly floor(1.1 × n), without floating-point rounding at the boundary.
        return maxConnections > 0 ? maxConnections + maxConnections / 10 : 0;
    }

    /** The checkin body cap after gunzip. */
    public long checkinMaxBodyDecompressed() {
        return checkinMaxBodyDecompressed;
    }

    /** The pace of handing newly indexed actions to waiting long polls. */
    public PacerLimit actionPacer() {
        return actionPacer;
    }

    /** The pace of handing a new policy revision to waiting long polls; its burst is at least 1. */
    public PacerLimit policyPacer() {
        return policyPacer;
    }

    /** The configured upload and delivery size cap, if any. */
    public OptionalLong maxFileStorageSize() {
        return maxFileStorageSize == null ? OptionalLong.empty() : OptionalLong.of(maxFileStorageSize);
    }

    /** The tier's default for {@code cache.num_counters}. */
    public long cacheNumCounters() {
        return tier.cacheNumCounters();
    }

    /** The tier's default for {@code cache.max_cost}, in bytes. */
    public long cacheMaxCost() {
        return tier.cacheMaxCost();
    }

    /** Upstream's {@code <name>} of a route's limiter: {@code checkin_limit} → {@code checkin}. */
    static String limiterName(Route route) {
        String key = route.limitName();
        return key.substring(0, key.length() - "_limit".length());
    }

    /** The tier's value for a limiter, or the built-in default when the tier leaves it out. */
    private LimitTier.Rate limiter(String name) {
        LimitTier.Rate rate = tier.rate(name);
        if (rate == null) {
            rate = LimitTier.builtIn().rate(name);
        }
        if (rate == null) {
            throw new IllegalStateException("no built-in default for limiter " + name);
        }
        return rate;
    }

    private RouteLimit merge(ServerLimits.RouteLimit configured, String name) {
        LimitTier.Rate inherited = limiter(name);
        // Tier files never set body caps: they always come from the built-in defaults.
        long bodyCap = LimitTable.BODY_CAPS.getOrDefault(name, 0L);
        return new RouteLimit(
                isSet(configured.interval()) ? configured.interval() : inherited.interval(),
                isSet(configured.burst()) ? configured.burst() : inherited.burst(),
                isSet(configured.max()) ? configured.max() : inherited.max(),
                isSet(configured.maxBodyByteSize()) ? configured.maxBodyByteSize() : bodyCap);
    }

    private PacerLimit pacer(ServerLimits.RouteLimit configured, String name) {
        LimitTier.Rate inherited = limiter(name);
        return new PacerLimit(
                isSet(configured.interval()) ? configured.interval() : inherited.interval(),
                isSet(configured.burst()) ? configured.burst() : inherited.burst());
    }

    private static ServerLimits.RouteLimit configured(ServerLimits limits, Route route) {
        return switch (route) {
            case CHECKIN -> limits.checkinLimit();
            case ENROLL -> limits.enrollLimit();
            case ACKS -> limits.ackLimit();
            case ARTIFACTS -> limits.artifactLimit();
            case STATUS -> limits.statusLimit();
            case OPAMP -> limits.opampLimit();
            case UPLOAD_START -> limits.uploadStartLimit();
            case UPLOAD_CHUNK -> limits.uploadChunkLimit();
            case UPLOAD_END -> limits.uploadEndLimit();
            case DELIVER_FILE -> limits.fileDeliveryLimit();
            case GET_PGP_KEY -> limits.pgpRetrievalLimit();
            case AUDIT_UNENROLL -> limits.auditUnenrollLimit();
        };
    }

    private static boolean isSet(@Nullable Duration value) {
        return value != null && !value.isZero();
    }

    private static boolean isSet(@Nullable Integer value) {
        return value != null && value != 0;
    }

    private static boolean isSet(@Nullable Long value) {
        return value != null && value != 0;
    }
}
