package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.transport.Endpoint;
import co.elastic.clients.transport.TransportOptions;
import co.elastic.clients.transport.http.TransportHttpClient;
import co.elastic.clients.transport.instrumentation.Instrumentation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times every call the Elasticsearch client makes, by API ({@code search}, {@code bulk}, …) and outcome
 * (the HTTP status, or {@code error} when no answer came), as {@code fleet_elasticsearch_requests_seconds}.
 * Plugs into the client's own instrumentation hook, so every call is covered without wrapping.
 */
final class ElasticsearchRequestMetrics implements Instrumentation {

    private final MeterRegistry registry;

    ElasticsearchRequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <TRequest> Context newContext(TRequest request, Endpoint<TRequest, ?, ?> endpoint) {
        String id = endpoint.id();
        return new Call(id.startsWith("es/") ? id.substring(3) : id, System.nanoTime());
    }

    /** Records a call made outside the typed client (raw requests). */
    void record(String endpoint, int status, long nanos) {
        timer(endpoint, status < 0 ? "error" : Integer.toString(status))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private Timer timer(String endpoint, String outcome) {
        return Timer.builder("fleet.elasticsearch.requests")
                .description("Calls to Elasticsearch by API and outcome")
                .tag("endpoint", endpoint)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry);
    }

    private final class Call implements Context {
        private final String endpoint;
        private final long started;
        private String outcome = "error";

        Call(String endpoint, long started) {
            this.endpoint = endpoint;
            this.started = started;
        }

        @Override
        public ThreadScope makeCurrent() {
            return () -> {};
        }

        @Override
        public void beforeSendingHttpRequest(TransportHttpClient.Request request, TransportOptions options) {}

        @Override
        public void afterReceivingHttpResponse(TransportHttpClient.Response response) {
            outcome = Integer.toString(response.statusCode());
        }

        @Override
        public <TResponse> void afterDecodingApiResponse(TResponse response) {}

        @Override
        public void recordException(Throwable throwable) {}

        @Override
        public void close() {
            timer(endpoint, outcome).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }
}
