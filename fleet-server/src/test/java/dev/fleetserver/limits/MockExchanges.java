package dev.fleetserver.limits;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.mock.web.MockAsyncContext;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * Requests through a filter with Spring's servlet mocks: one that answers at once, one that goes asynchronous
 * and stays open (as a checkin long poll does) until the test completes it.
 */
final class MockExchanges {

    /** How many requests reached the handler behind the filter. */
    final AtomicInteger handled = new AtomicInteger();

    private final Filter filter;

    MockExchanges(Filter filter) {
        this.filter = filter;
    }

    /** A request answered 200 by the handler unless the filter answered first. */
    MockHttpServletResponse send(String method, String path) throws Exception {
        MockHttpServletRequest request = request(method, path);
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, new MockFilterChain(new HttpServlet() {
            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                handled.incrementAndGet();
                resp.setStatus(200);
                resp.getWriter().write("ok");
            }
        }));
        return response;
    }

    MockHttpServletResponse get(String path) throws Exception {
        return send("GET", path);
    }

    /** A request whose handler starts asynchronous processing and returns; it is open until completed. */
    MockHttpServletRequest open(String path) throws Exception {
        MockHttpServletRequest request = request("POST", path);
        filter.doFilter(request, new MockHttpServletResponse(), new MockFilterChain(new HttpServlet() {
            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp) {
                handled.incrementAndGet();
                req.startAsync();
            }
        }));
        return request;
    }

    /** A request whose handler fails. */
    void fail(String path) throws Exception {
        filter.doFilter(request("GET", path), new MockHttpServletResponse(), new MockFilterChain(new HttpServlet() {
            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp) {
                handled.incrementAndGet();
                throw new IllegalStateException("handler failed");
            }
        }));
    }

    static void complete(MockHttpServletRequest open) {
        ((MockAsyncContext) open.getAsyncContext()).complete();
    }

    /** The container's sequence for a failed asynchronous request: error, then complete. */
    static void failThenComplete(MockHttpServletRequest open) throws IOException {
        MockAsyncContext context = (MockAsyncContext) open.getAsyncContext();
        for (AsyncListener listener : List.copyOf(context.getListeners())) {
            listener.onError(new AsyncEvent(context, new IOException("client went away")));
        }
        context.complete();
    }

    private static MockHttpServletRequest request(String method, String path) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setAsyncSupported(true);
        return request;
    }
}
