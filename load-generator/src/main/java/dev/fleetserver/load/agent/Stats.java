package dev.fleetserver.load.agent;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.DataFormatException;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What a group of simulated agents saw: latency per route (HdrHistogram, microseconds), outcomes counted by
 * route and status or error kind, and gauges of the agents' states. Thread-safe; recorded by every agent.
 */
public final class Stats {

    /** The agent-facing routes the generator calls. */
    public enum Route {
        ENROLL,
        CHECKIN,
        ACK
    }

    /**
     * What a latency is of: checkins are split by how they ended, since a held poll's latency is its hold time,
     * while a checkin answered with actions shows how fast the server set it up or delivered.
     */
    public enum Latency {
        ENROLL,
        CHECKIN_WITH_ACTIONS,
        CHECKIN_WITHOUT_ACTIONS,
        CHECKIN_REFUSED,
        ACK
    }

    /** Longest latency tracked: one hour, well above a 10-minute request timeout. */
    static final long MAX_MICROS = 3_600_000_000L;

    private final Map<Latency, ConcurrentHistogram> latency = new EnumMap<>(Latency.class);
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    final AtomicInteger polling = new AtomicInteger();
    /** Agents in the pause between an answered checkin and the next one. */
    final AtomicInteger resting = new AtomicInteger();

    final AtomicInteger inBackoff = new AtomicInteger();
    final AtomicInteger enrolled = new AtomicInteger();
    final AtomicInteger stopped = new AtomicInteger();
    final LongAdder actionsReceived = new LongAdder();
    final LongAdder acksSent = new LongAdder();

    public Stats() {
        for (Latency kind : Latency.values()) {
            latency.put(kind, new ConcurrentHistogram(MAX_MICROS, 3));
        }
    }

    void answered(Route route, int status) {
        count(route, String.valueOf(status));
    }

    void latency(Latency kind, long nanos) {
        latency.get(kind).recordValue(Math.min(MAX_MICROS, Math.max(0, nanos / 1000)));
    }

    /** A request that got no HTTP answer: connection refused or reset, timeout, ... */
    void transportError(Route route, Throwable error) {
        count(route, "transport " + error.getClass().getSimpleName());
    }

    /** Anything else worth counting, e.g. {@code bad-response} or {@code item-404}. */
    void count(Route route, String outcome) {
        outcomes.computeIfAbsent(route.name().toLowerCase(java.util.Locale.ROOT) + " " + outcome, k -> new LongAdder())
                .increment();
    }

    public Snapshot snapshot() {
        Map<String, String> histograms = new TreeMap<>();
        latency.forEach((kind, histogram) -> histograms.put(kind.name(), encode(histogram.copy())));
        Map<String, Long> counts = new TreeMap<>();
        outcomes.forEach((key, adder) -> counts.put(key, adder.sum()));
        return new Snapshot(histograms, counts, actionsReceived.sum(), acksSent.sum());
    }

    public GroupStatus status(int agents) {
        return new GroupStatus(
                agents,
                enrolled.get(),
                polling.get(),
                resting.get(),
                inBackoff.get(),
                stopped.get(),
                actionsReceived.sum());
    }

    /**
     * Counters of a group's agents right now: {@code polling} have a checkin in flight, {@code resting} are in the
     * 1–1.5 s pause after an answered one.
     */
    public record GroupStatus(
            int agents, int enrolled, int polling, int resting, int inBackoff, int stopped, long actions) {
        public GroupStatus plus(GroupStatus other) {
            return new GroupStatus(
                    agents + other.agents,
                    enrolled + other.enrolled,
                    polling + other.polling,
                    resting + other.resting,
                    inBackoff + other.inBackoff,
                    stopped + other.stopped,
                    actions + other.actions);
        }

        public static GroupStatus empty() {
            return new GroupStatus(0, 0, 0, 0, 0, 0, 0);
        }

        /**
         * Agents in their checkin loop as they should be: polling, or about to poll again after an answer. With
         * thousands of agents some are always between two polls (each poll ends after at most 5 minutes), so
         * "all polling at one instant" is not a state a large fleet reaches.
         */
        public int inCheckinLoop() {
            return polling + resting;
        }
    }

    /**
     * Stats in a form that crosses process boundaries: histograms as base64 of HdrHistogram's compressed
     * encoding, outcome counts by {@code "<route> <status or error>"}.
     */
    public record Snapshot(Map<String, String> histograms, Map<String, Long> outcomes, long actions, long acks) {

        public Snapshot plus(Snapshot other) {
            Map<String, String> merged = new TreeMap<>(histograms);
            other.histograms.forEach((route, encoded) -> merged.merge(route, encoded, (a, b) -> {
                Histogram sum = decode(a);
                sum.add(decode(b));
                return encode(sum);
            }));
            Map<String, Long> counts = new TreeMap<>(outcomes);
            other.outcomes.forEach((key, count) -> counts.merge(key, count, Long::sum));
            return new Snapshot(merged, counts, actions + other.actions, acks + other.acks);
        }

        public static Snapshot empty() {
            return new Snapshot(Map.of(), Map.of(), 0, 0);
        }

        public Histogram latency(Latency kind) {
            String encoded = histograms.get(kind.name());
            return encoded == null ? new Histogram(MAX_MICROS, 3) : decode(encoded);
        }

        /** Requests answered with a status, by route; transport errors and other outcomes excluded. */
        public long answered(Route route, int status) {
            return outcomes.getOrDefault(route.name().toLowerCase(java.util.Locale.ROOT) + " " + status, 0L);
        }
    }

    static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    public static Histogram decode(String encoded) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), MAX_MICROS);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("not an encoded histogram", e);
        }
    }
}
