package dev.fleetserver.load.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The server's HTTP stack with nothing behind it: keep-alive connections each send {@code GET} of a path no route
 * serves (answered {@code 404} by the router after the filters every agent request passes) back to back. What it
 * achieves is the ceiling the agent routes' throughput can be read against, measured with the same client, on the
 * same machine, in the same run.
 */
public final class Ceiling {

    /** Requests answered, their latency (µs), those not answered 404, and how long it ran. */
    public record Result(long requests, Histogram latency, long unexpected, long elapsedMillis) {}

    private Ceiling() {}

    public static Result run(AgentSpec spec, int connections, long durationMillis) throws InterruptedException {
        AgentContext context = new AgentContext(spec);
        ConcurrentHistogram latency = new ConcurrentHistogram(Stats.MAX_MICROS, 3);
        LongAdder requests = new LongAdder();
        LongAdder unexpected = new LongAdder();
        byte[] request = HttpConnection.ascii("GET /api/fleet/load-generator-ceiling? HTTP/1.1\r\nHost: "
                + context.hostHeader + "\r\nUser-Agent: Elastic Agent v" + spec.version() + "\r\n\r\n");
        long begin = System.nanoTime();
        long end = begin + durationMillis * 1_000_000;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            int index = i;
            threads.add(Thread.ofVirtual().start(() -> {
                HttpConnection connection = null;
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    try {
                        if (connection == null || !connection.isOpen()) {
                            connection = HttpConnection.open(
                                    new InetSocketAddress(context.server.getHostString(), context.server.getPort()),
                                    context.source(index),
                                    10_000);
                        }
                        HttpConnection.Response response = connection.exchange(request, start + 30_000_000_000L);
                        if (response.closes()) {
                            connection.close();
                        }
                        latency.recordValue(Math.min(Stats.MAX_MICROS, (System.nanoTime() - start) / 1000));
                        requests.increment();
                        if (response.status() != 404) {
                            unexpected.increment();
                        }
                    } catch (IOException e) {
                        unexpected.increment();
                        if (connection != null) {
                            connection.close();
                        }
                        connection = null;
                    }
                }
                if (connection != null) {
                    connection.close();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new Result(requests.sum(), latency.copy(), unexpected.sum(), (System.nanoTime() - begin) / 1_000_000);
    }
}
