package dev.fleetserver.config;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code inputs[0].server.*}: the agent-facing API.
 *
 * @param host bind address
 * @param port agent-facing port
 * @param internalPort upstream's second listener on localhost for a co-located agent
 * @param ssl TLS of the listener; plain HTTP without it
 * @param compressionLevel gzip level for checkin responses; 0 disables
 * @param compressionThreshold only checkin responses larger than this are compressed
 * @param pdkdf2 PBKDF2 settings for enrollment replace tokens (the key is spelled this way upstream)
 * @param version our addition: the version this server reports and checks agents against; defaults to the
 *     build's compatibility version
 */
public record ServerConfig(
        @DefaultValue("0.0.0.0") String host,
        @DefaultValue("8220") int port,
        @DefaultValue("8221") int internalPort,
        @Nullable TlsConfig ssl,
        @DefaultValue ServerTimeouts timeouts,
        @DefaultValue("1") int compressionLevel,
        @DefaultValue("1024") int compressionThreshold,
        @DefaultValue ServerLimits limits,
        @DefaultValue Runtime runtime,
        @DefaultValue Bulk bulk,
        @DefaultValue Gc gc,
        @DefaultValue Profiler profiler,
        @DefaultValue Instrumentation instrumentation,
        @DefaultValue StaticPolicyTokens staticPolicyTokens,
        @DefaultValue Pgp pgp,
        @DefaultValue Pbkdf2 pdkdf2,
        @DefaultValue FeatureFlags featureFlags,
        @Nullable String version) {

    public boolean tlsEnabled() {
        return ssl != null && ssl.isEnabled();
    }

    /** {@code runtime.*}: Go runtime knobs; accepted, and {@code memory_limit} feeds tier selection. */
    public record Runtime(
            @DefaultValue("0") int gcPercent, @Nullable Long memoryLimit) {}

    /** {@code bulk.*}: batching of writes to Elasticsearch. */
    public record Bulk(
            @DefaultValue("250ms") Duration flushInterval,
            @DefaultValue("2048") int flushThresholdCnt,
            @DefaultValue("1048576") long flushThresholdSize,
            @DefaultValue("8") int flushMaxPending,
            @DefaultValue("0") int maxPendingBulkDispatches,
            @DefaultValue EnrollBulk enroll,
            @DefaultValue CheckinBulk checkin) {}

    /**
     * {@code bulk.checkin.*} (ours): upstream writes checkin heartbeats every 10 s, fixed; the period is the
     * trade between write load and how fresh {@code last_checkin} looks.
     */
    public record CheckinBulk(@DefaultValue("10s") Duration flushInterval) {}

    /** {@code bulk.enroll.*}: the window in which concurrent enrollment retries are de-duplicated. */
    public record EnrollBulk(
            @DefaultValue("1s") Duration flushInterval,
            @DefaultValue("50") int flushThresholdCnt) {}

    /** {@code gc.*}: clean-up of expired actions. */
    public record Gc(
            @DefaultValue("1h") Duration scheduleInterval,
            @DefaultValue("30d") String cleanupAfterExpiredInterval) {}

    /** {@code profiler.*}: Go pprof; the JVM has JFR instead, so this is accepted and ignored. */
    public record Profiler(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("localhost:6060") String bind) {}

    /** {@code instrumentation.*}: APM tracing settings, accepted so upstream files load. */
    public record Instrumentation(
            @DefaultValue("false") boolean enabled,
            @Nullable List<String> hosts,
            @Nullable Secret apiKey,
            @Nullable String apiKeyPath,
            @Nullable Secret secretToken,
            @Nullable String secretTokenPath,
            @Nullable String environment,
            @Nullable String globalLabels,
            @Nullable Double transactionSampleRate,
            @DefaultValue InstrumentationTls tls) {}

    /** {@code instrumentation.tls.*}. */
    public record InstrumentationTls(
            @DefaultValue("false") boolean skipVerify,
            @Nullable String serverCertificate,
            @Nullable String serverCa) {}

    /** {@code static_policy_tokens.*}: fixed enrollment tokens for standalone deployments. */
    public record StaticPolicyTokens(
            @DefaultValue("false") boolean enabled,
            @Nullable List<PolicyToken> policyTokens) {
        public StaticPolicyTokens {
            policyTokens = policyTokens == null ? List.of() : List.copyOf(policyTokens);
        }
    }

    /** One static token: its secret part and the policy it enrolls into. */
    public record PolicyToken(Secret tokenKey, String policyId) {}

    /** {@code pgp.*}: where the agent-upgrade PGP key comes from. */
    public record Pgp(
            @DefaultValue("https://artifacts.elastic.co/GPG-KEY-elastic-agent")
            String upstreamUrl,

            @Nullable String dir) {}

    /** {@code pdkdf2.*}: hashing of enrollment replace tokens (PBKDF2-HMAC-SHA-512). */
    public record Pbkdf2(
            @DefaultValue("210000") int iterations,
            @DefaultValue("32") int keyLength,
            @DefaultValue("64") int saltLength) {}

    /** {@code feature_flags.*}. */
    public record FeatureFlags(
            @DefaultValue("false") boolean ignoreCheckinPolicyId,
            @DefaultValue("true") boolean enableOpamp,
            @DefaultValue GracefulForceUnenroll gracefulForceUnenroll) {}

    /** {@code feature_flags.graceful_force_unenroll.*}. */
    public record GracefulForceUnenroll(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("50000000") long maxBytes) {}
}
