package dev.fleetserver.limits;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an action once a request is over: at once when it finished on the calling thread, or when its
 * asynchronous processing ends (a checkin long poll answers from another thread, minutes later).
 */
final class RequestCompletion {

    private RequestCompletion() {}

    /** To be called after the filter chain returned (or threw); runs {@code action} exactly once. */
    static void whenComplete(HttpServletRequest request, Runnable action) {
        Once once = new Once(action);
        if (request.isAsyncStarted()) {
            request.getAsyncContext().addListener(once);
        } else {
            once.run();
        }
    }

    /** Runs the action on the first of complete, error and timeout; a later event finds it done. */
    private static final class Once implements AsyncListener {

        private final Runnable action;
        private final AtomicBoolean done = new AtomicBoolean();

        Once(Runnable action) {
            this.action = action;
        }

        void run() {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            run();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            run();
        }

        @Override
        public void onError(AsyncEvent event) {
            run();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // A new asynchronous cycle of the same request drops its listeners; stay registered until the end.
            event.getAsyncContext().addListener(this);
        }
    }
}
