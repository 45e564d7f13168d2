package dev.fleetserver.metrics;

import dev.fleetserver.web.ClientDisconnects;
import dev.fleetserver.web.Route;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts every request of an agent-facing route: in flight, total, failed, dropped, body bytes in and out,
 * and latency by status. Long polls finish asynchronously; they are counted when the answer is complete.
 */
public final class RouteMetricsFilter extends OncePerRequestFilter {

    /** Request attribute set by a limiter that answered 429 itself, so the request is not also a failure. */
    public static final String LIMITED = RouteMetricsFilter.class.getName() + ".limited";

    private final ServerMetrics metrics;

    public RouteMetricsFilter(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<Route> route = Route.of(request);
        if (route.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        RouteStats stats = metrics.route(route.get());
        var exchange = new Exchange(stats, request, response, System.nanoTime());
        stats.active.incrementAndGet();
        stats.total.increment();
        try {
            chain.doFilter(exchange.request, exchange.response);
        } catch (IOException | ServletException | RuntimeException e) {
            exchange.dropped.set(isClientAbort(e));
            throw e;
        } finally {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(exchange);
            } else {
                exchange.finish();
            }
        }
    }

    private static boolean isClientAbort(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getSimpleName().equals("ClientAbortException")) {
                return true;
            }
        }
        return false;
    }

    /** One request on its way through; finishes exactly once, synchronously or from the async listener. */
    private final class Exchange implements AsyncListener {

        private final RouteStats stats;
        private final HttpServletRequest original;
        private final CountingRequest request;
        private final CountingResponse response;
        private final long started;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final AtomicBoolean dropped = new AtomicBoolean();

        Exchange(RouteStats stats, HttpServletRequest request, HttpServletResponse response, long started) {
            this.stats = stats;
            this.original = request;
            this.request = new CountingRequest(request, stats.bodyIn);
            this.response = new CountingResponse(response, stats.bodyOut);
            this.started = started;
        }

        void finish() {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            stats.active.decrementAndGet();
            int status = response.getStatus();
            if (dropped.get() || original.getAttribute(ClientDisconnects.CLIENT_GONE) != null) {
                stats.drop.increment();
            } else if (status >= 400 && original.getAttribute(LIMITED) == null) {
                stats.fail.increment();
            }
            metrics.requestFinished(stats, status, Duration.ofNanos(System.nanoTime() - started));
        }

        @Override
        public void onComplete(AsyncEvent event) {
            finish();
        }

        @Override
        public void onTimeout(AsyncEvent event) {}

        @Override
        public void onError(AsyncEvent event) {
            dropped.set(isClientAbort(event.getThrowable()));
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }

    private static final class CountingRequest extends HttpServletRequestWrapper {
        private final LongAdder counter;
        private ServletInputStream stream;

        CountingRequest(HttpServletRequest request, LongAdder counter) {
            super(request);
            this.counter = counter;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            counter.increment();
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        int n = in.read(buffer, offset, length);
                        if (n > 0) {
                            counter.add(n);
                        }
                        return n;
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }

    private static final class CountingResponse extends HttpServletResponseWrapper {
        private final LongAdder counter;
        private ServletOutputStream stream;

        CountingResponse(HttpServletResponse response, LongAdder counter) {
            super(response);
            this.counter = counter;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (stream == null) {
                ServletOutputStream out = super.getOutputStream();
                stream = new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        out.write(b);
                        counter.increment();
                    }

                    @Override
                    public void write(byte[] buffer, int offset, int length) throws IOException {
                        out.write(buffer, offset, length);
                        counter.add(length);
                    }

                    @Override
                    public void flush() throws IOException {
                        out.flush();
                    }

                    @Override
                    public void close() throws IOException {
                        out.close();
                    }

                    @Override
                    public boolean isReady() {
                        return out.isReady();
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        out.setWriteListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
