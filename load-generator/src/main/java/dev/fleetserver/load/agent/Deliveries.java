package dev.fleetserver.load.agent;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * When each agent received each action, by action id ({@code policy:<id>:<rev>} for a policy revision), in
 * microseconds since the epoch: the clock every generator process on the machine shares, so that the time an
 * admin change was made in one process can be compared with receipts in others.
 */
public final class Deliveries {

    private final Map<String, Receipts> byAction = new ConcurrentHashMap<>();

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    void record(String actionId, long atMicros) {
        byAction.computeIfAbsent(actionId, id -> new Receipts()).add(atMicros);
    }

    /** How many agents got {@code actionId} and how long after {@code sinceMicros} (negative counts as 0). */
    public Delivery delivery(String actionId, long sinceMicros) {
        Histogram histogram = new Histogram(Stats.MAX_MICROS, 3);
        Receipts receipts = byAction.get(actionId);
        if (receipts != null) {
            receipts.forEach(at -> histogram.recordValue(Math.min(Stats.MAX_MICROS, Math.max(0, at - sinceMicros))));
        }
        return new Delivery(histogram.getTotalCount(), Stats.encode(histogram));
    }

    /** Receipts of one action; {@code latency} as in {@link Stats.Snapshot}. */
    public record Delivery(long agents, String latency) {
        public Delivery plus(Delivery other) {
            Histogram sum = Stats.decode(latency);
            sum.add(Stats.decode(other.latency));
            return new Delivery(agents + other.agents, Stats.encode(sum));
        }

        public Histogram histogram() {
            return Stats.decode(latency);
        }

        public static Delivery none() {
            return new Delivery(0, Stats.encode(new Histogram(Stats.MAX_MICROS, 3)));
        }
    }

    private static final class Receipts {
        private long[] times = new long[4];
        private int size;

        synchronized void add(long at) {
            if (size == times.length) {
                times = java.util.Arrays.copyOf(times, size * 2);
            }
            times[size++] = at;
        }

        synchronized void forEach(java.util.function.LongConsumer consumer) {
            for (int i = 0; i < size; i++) {
                consumer.accept(times[i]);
            }
        }
    }
}
