package dev.fleetserver.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.config.ServerLimits;
import dev.fleetserver.web.Route;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tier selection and merging (config-and-ops §4) against the tables of §5. */
class EffectiveLimitsTests {

    private static final long MIB = 1024 * 1024;
    private static final long GIB = 1024 * MIB;
    private static final ServerLimits NOTHING_SET = LimitsYaml.limits("");

    @ParameterizedTest
    @CsvSource({
        "1, lte0500",
        "500, lte0500",
        "501, lte1000",
        "1000, lte1000",
        "1001, lte2500",
        "2500, lte2500",
        "2501, lte5000",
        "5000, lte5000",
        "5001, lte10000",
        "10000, lte10000",
        "10001, lte20000",
        "20000, lte20000",
        "20001, lte40000",
        "40000, lte40000",
        "40001, max",
        "2147483647, max"
    })
    void aPositiveMaxAgentsPicksTheTierWhoseRangeContainsIt(int maxAgents, String tier) {
        // Memory does not matter then, not even when there is almost none.
        assertThat(EffectiveLimits.resolve(limits("max_agents: " + maxAgents), 1)
                        .tierName())
                .isEqualTo(tier);
    }

    @Test
    void aNegativeMaxAgentsGivesTheBuiltInDefaultsWhateverTheMemory() {
        EffectiveLimits limits = EffectiveLimits.resolve(limits("max_agents: -1"), 64 * GIB);

        assertThat(limits.tierName()).isEqualTo("built-in");
        assertThat(limits.tier().isBuiltIn()).isTrue();
        // agent-api §5.2, row by row.
        assertRoute(limits, Route.CHECKIN, "1ms", 1000, 0, 1048576);
        assertRoute(limits, Route.ENROLL, "10ms", 50, 100, 524288);
        assertRoute(limits, Route.ACKS, "10ms", 50, 100, 2097152);
        assertRoute(limits, Route.STATUS, "5ms", 25, 50, 0);
        assertRoute(limits, Route.ARTIFACTS, "5ms", 25, 50, 0);
        assertRoute(limits, Route.UPLOAD_START, "2s", 5, 10, 5242880);
        assertRoute(limits, Route.UPLOAD_CHUNK, "3ms", 5, 10, 4194304);
        assertRoute(limits, Route.UPLOAD_END, "2s", 5, 10, 1024);
        assertRoute(limits, Route.DELIVER_FILE, "100ms", 5, 10, 0);
        assertRoute(limits, Route.GET_PGP_KEY, "5ms", 25, 50, 0);
        assertRoute(limits, Route.AUDIT_UNENROLL, "10ms", 50, 100, 1024);
        assertRoute(limits, Route.OPAMP, "1ms", 1000, 0, 3145728);
        assertThat(limits.maxConnections()).isZero();
        assertThat(limits.maxOpenConnections()).isZero();
        assertThat(limits.checkinMaxBodyDecompressed()).isEqualTo(20 * MIB);
        assertThat(limits.actionPacer()).isEqualTo(new PacerLimit(Duration.ZERO, 5));
        assertThat(limits.policyPacer()).isEqualTo(new PacerLimit(Duration.ofMillis(5), 1));
        assertThat(limits.cacheNumCounters()).isEqualTo(500_000);
        assertThat(limits.cacheMaxCost()).isEqualTo(50 * MIB);
    }

    @ParameterizedTest
    @CsvSource({
        "0, built-in",
        "255, built-in",
        "256, lte0500",
        "511, lte0500",
        "512, lte1000",
        "1023, lte1000",
        "1024, lte2500",
        "2047, lte2500",
        "2048, lte5000",
        "4047, lte5000",
        "4048, lte10000",
        "8095, lte10000",
        "8096, lte20000",
        "16191, lte20000",
        "16192, lte40000",
        "24576, lte40000",
        "32383, lte40000",
        "32384, max",
        "1048576, max"
    })
    void maxAgentsZeroPicksTheLargestTierTheMemoryAllows(long mebibytes, String tier) {
        assertThat(EffectiveLimits.resolve(NOTHING_SET, mebibytes * MIB).tierName())
                .isEqualTo(tier);
    }

    @Test
    void a24GibHostGetsTheTierForUpTo40000Agents() {
        EffectiveLimits limits = EffectiveLimits.resolve(NOTHING_SET, 24 * GIB);

        assertThat(limits.tierName()).isEqualTo("lte40000");
        assertRoute(limits, Route.CHECKIN, "500us", 4000, 40000, 1048576);
        assertThat(limits.maxConnections()).isZero();
        assertThat(limits.isBelowRecommendedMemory()).isFalse();
    }

    @Test
    void justBelowATiersMemoryTheSmallerTierApplies() {
        assertThat(EffectiveLimits.resolve(NOTHING_SET, 256 * MIB - 1).tierName())
                .isEqualTo("built-in");
    }

    @Test
    void theConfiguredMemoryLimitWinsOverDetection() {
        var config = LimitsYaml.config("http://127.0.0.1:9", "", "memory_limit: " + 512 * MIB);

        assertThat(EffectiveLimits.of(config.server()).tierName()).isEqualTo("lte1000");
        assertThat(EffectiveLimits.of(config.server()).availableMemory()).isEqualTo(512 * MIB);
    }

    @Test
    void aTierChosenByAgentCountOnASmallMachineIsFlagged() {
        EffectiveLimits limits = EffectiveLimits.resolve(limits("max_agents: 40001"), 4 * GIB);

        assertThat(limits.tierName()).isEqualTo("max");
        assertThat(limits.isBelowRecommendedMemory()).isTrue();
    }

    @Test
    void configuredValuesWinAndZeroOrAbsentInheritsFromTheTier() {
        EffectiveLimits limits = EffectiveLimits.resolve(limits("""
                        max_agents: 500
                        max_connections: 10
                        checkin_limit: {burst: 7, max_body_decompressed: 1000}
                        status_limit: {interval: 1s, burst: 0, max: 0}
                        enroll_limit: {max: 3, max_body_byte_size: 100}
                        opamp_limit: {max: 9}
                        action_limit: {interval: 2ms}
                        """), 64 * GIB);

        assertThat(limits.tierName()).isEqualTo("lte0500");
        assertRoute(limits, Route.CHECKIN, "5ms", 7, 500, 1048576);
        assertRoute(limits, Route.STATUS, "1s", 10, 20, 0);
        assertRoute(limits, Route.ENROLL, "10ms", 10, 3, 100);
        assertRoute(limits, Route.ACKS, "4ms", 100, 200, 2097152);
        // OpAMP is in no tier file: the built-in default, under the configured value.
        assertRoute(limits, Route.OPAMP, "1ms", 1000, 9, 3145728);
        assertThat(limits.checkinMaxBodyDecompressed()).isEqualTo(1000);
        assertThat(limits.maxConnections()).isEqualTo(10);
        assertThat(limits.maxOpenConnections()).isEqualTo(11);
        assertThat(limits.actionPacer()).isEqualTo(new PacerLimit(Duration.ofMillis(2), 1));
        assertThat(limits.policyPacer()).isEqualTo(new PacerLimit(Duration.ofMillis(5), 1));
    }

    @Test
    void aNegativeMaxConnectionsSwitchesTheTiersCapOff() {
        EffectiveLimits limits = EffectiveLimits.resolve(limits("max_agents: 500\nmax_connections: -1"), GIB);

        assertThat(limits.maxConnections()).isZero();
        assertThat(limits.maxOpenConnections()).isZero();
    }

    @Test
    void thePolicyPacerAlwaysLetsOneThrough() {
        EffectiveLimits limits =
                EffectiveLimits.resolve(limits("max_agents: -1\npolicy_limit: {interval: 1ms, burst: -4}"), GIB);

        assertThat(limits.policyPacer()).isEqualTo(new PacerLimit(Duration.ofMillis(1), 1));
    }

    @Test
    void aConfiguredFileStorageCapIsKeptUnlikeUpstream() {
        assertThat(EffectiveLimits.resolve(limits("max_agents: 500\nmax_file_storage_size: 123456"), GIB)
                        .maxFileStorageSize())
                .hasValue(123456);
        assertThat(EffectiveLimits.resolve(limits("max_agents: 500"), GIB).maxFileStorageSize())
                .isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "lte0500, 1650",
        "lte1000, 3300",
        "lte2500, 7700",
        "lte5000, 13200",
        "lte10000, 24200",
        "lte20000, 46200",
        "lte40000, 0",
        "max, 0"
    })
    void theHardTcpCapIsFloorOf1Point1TimesTheTiersMaxConnections(String tier, long cap) {
        int agents = LimitTier.tiers().stream()
                .filter(t -> t.name().equals(tier))
                .findFirst()
                .orElseThrow()
                .maxAgents();

        assertThat(EffectiveLimits.resolve(limits("max_agents: " + agents), GIB).maxOpenConnections())
                .isEqualTo(cap);
    }

    @Test
    void everyTierSetsEveryLimiterButOpamp() {
        Set<String> limiters = LimitTier.builtIn().rates().keySet();
        assertThat(limiters)
                .containsAll(Set.of(Route.values()).stream()
                        .map(EffectiveLimits::limiterName)
                        .collect(Collectors.toSet()))
                .contains("action", "policy");
        for (LimitTier tier : LimitTier.tiers()) {
            assertThat(tier.rates().keySet()).as(tier.name()).isEqualTo(setWithout(limiters, "opamp"));
        }
        assertThat(LimitTier.tiers()).hasSize(8);
    }

    @Test
    void theTableHoldsTheSpecsNumbers() {
        LimitTier max = LimitTier.forAgents(50_000).orElseThrow();
        assertThat(max.recommendedMemoryMiB()).isEqualTo(32_384);
        assertThat(max.cacheNumCounters()).isEqualTo(6_400_000);
        assertThat(max.cacheMaxCost()).isEqualTo(512 * MIB);
        assertThat(max.rate("checkin")).isEqualTo(new LimitTier.Rate(Duration.ofNanos(250_000), 8000, 80000));
        assertThat(max.rate("policy")).isEqualTo(new LimitTier.Rate(Duration.ofNanos(250_000), 1, 0));
        LimitTier lte20000 = LimitTier.forAgents(20_000).orElseThrow();
        assertThat(lte20000.maxConnections()).isEqualTo(42_000);
        assertThat(lte20000.cacheMaxCost()).isEqualTo(128 * MIB);
        assertThat(lte20000.rate("action")).isEqualTo(new LimitTier.Rate(Duration.ofMillis(1), 100, 0));
        LimitTier lte5000 = LimitTier.forAgents(5_000).orElseThrow();
        assertThat(lte5000.rate("upload_chunk")).isEqualTo(new LimitTier.Rate(Duration.ofMillis(3), 20, 40));
        assertThat(lte5000.rate("pgp_retrieval")).isEqualTo(new LimitTier.Rate(Duration.ofMillis(2), 1000, 2000));
    }

    private static Set<String> setWithout(Set<String> set, String removed) {
        return set.stream().filter(s -> !s.equals(removed)).collect(Collectors.toSet());
    }

    private static ServerLimits limits(String yaml) {
        return LimitsYaml.limits(yaml);
    }

    private static void assertRoute(
            EffectiveLimits limits, Route route, String interval, int burst, int max, long maxBodyByteSize) {
        assertThat(limits.route(route))
                .as(route.limitName())
                .isEqualTo(
                        new RouteLimit(dev.fleetserver.config.GoDuration.parse(interval), burst, max, maxBodyByteSize));
    }
}
