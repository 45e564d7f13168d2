package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.Jackson3JsonpMapper;
import co.elastic.clients.transport.rest5_client.Rest5ClientOptions;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.RequestOptions;
import co.elastic.clients.transport.rest5_client.low_level.Response;
import co.elastic.clients.transport.rest5_client.low_level.ResponseException;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import co.elastic.clients.transport.rest5_client.low_level.Rest5ClientBuilder;
import dev.fleetserver.config.ElasticsearchOutput;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The connection to Elasticsearch: the official client over the Rest5 (HttpClient 5, async) transport,
 * authenticated with the service token as {@code Authorization: Bearer}, marked with
 * {@code X-elastic-product-origin: fleet} on every request, with upstream's timeouts and connection cap.
 */
public final class ElasticsearchConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ElasticsearchConnection.class);
    static final String PRODUCT_ORIGIN_HEADER = "X-elastic-product-origin";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ElasticsearchClient client;
    private final Rest5Client rest;
    private final ElasticsearchHosts hosts;
    private final ElasticsearchRequestMetrics metrics;

    private ElasticsearchConnection(
            ElasticsearchClient client,
            Rest5Client rest,
            ElasticsearchHosts hosts,
            ElasticsearchRequestMetrics metrics) {
        this.client = client;
        this.rest = rest;
        this.hosts = hosts;
        this.metrics = metrics;
    }

    public static ElasticsearchConnection open(ElasticsearchOutput output, MeterRegistry registry) {
        ElasticsearchHosts hosts = ElasticsearchHosts.from(output);
        Rest5ClientBuilder builder = Rest5Client.builder(hosts.hosts().toArray(HttpHost[]::new))
                .setDefaultHeaders(defaultHeaders(output))
                .setCompressionEnabled(false)
                .setMetaHeaderEnabled(false)
                .setConnectionConfigCallback(connection ->
                        connection.setConnectTimeout(Timeout.ofSeconds(10)).setTimeToLive(60, TimeUnit.SECONDS))
                .setRequestConfigCallback(request -> request.setResponseTimeout(Timeout.of(output.timeout()))
                        .setConnectionRequestTimeout(Timeout.of(output.timeout())))
                .setConnectionManagerCallback(manager -> {
                    manager.setMaxConnPerRoute(output.maxConnPerHost())
                            .setMaxConnTotal(
                                    output.maxConnPerHost() * hosts.hosts().size());
                    if (output.tlsConfigured()) {
                        manager.setTlsStrategy(ElasticsearchTls.strategy(output.ssl()));
                    }
                });
        if (hosts.pathPrefix() != null) {
            builder.setPathPrefix(hosts.pathPrefix());
        }
        if (!output.proxyDisable()
                && output.proxyUrl() != null
                && !output.proxyUrl().isBlank()) {
            URI proxy = URI.create(output.proxyUrl());
            builder.setProxy(new HttpHost(proxy.getScheme(), proxy.getHost(), proxy.getPort()));
            if (!output.proxyHeaders().isEmpty()) {
                log.warn("output.elasticsearch.proxy_headers is not supported and is ignored");
            }
        }
        Rest5Client rest = builder.build();
        var metrics = new ElasticsearchRequestMetrics(registry);
        var transport = new Rest5ClientTransport(
                rest, new Jackson3JsonpMapper(), new Rest5ClientOptions(RequestOptions.DEFAULT, false), metrics);
        return new ElasticsearchConnection(new ElasticsearchClient(transport), rest, hosts, metrics);
    }

    private static Header[] defaultHeaders(ElasticsearchOutput output) {
        List<Header> headers = new ArrayList<>();
        for (Map.Entry<String, String> header : output.headers().entrySet()) {
            headers.add(new BasicHeader(header.getKey(), header.getValue()));
        }
        headers.add(new BasicHeader(PRODUCT_ORIGIN_HEADER, "fleet"));
        if (output.serviceToken() != null && !output.serviceToken().isBlank()) {
            headers.add(new BasicHeader(
                    "Authorization", "Bearer " + output.serviceToken().value()));
        }
        return headers.toArray(Header[]::new);
    }

    public ElasticsearchClient client() {
        return client;
    }

    /**
     * A call with a raw JSON body and answer, for APIs whose bodies must pass through untouched (API-key role
     * descriptors). Errors come back as the client's {@code ElasticsearchException}-like failures via
     * {@link RawResponseException}.
     *
     * @param endpoint name for the request metrics, e.g. {@code security.create_api_key}
     */
    JsonNode raw(String endpoint, String method, String path, @Nullable String jsonBody) throws IOException {
        Request request = new Request(method, path);
        if (jsonBody != null) {
            request.setEntity(new StringEntity(jsonBody, ContentType.APPLICATION_JSON));
        }
        long started = System.nanoTime();
        int status = -1;
        try {
            Response response = rest.performRequest(request);
            status = response.getStatusCode();
            byte[] body = response.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(response.getEntity());
            return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (ResponseException e) {
            status = e.getResponse().getStatusCode();
            byte[] body = e.getResponse().getEntity() == null
                    ? new byte[0]
                    : EntityUtils.toByteArray(e.getResponse().getEntity());
            throw new RawResponseException(status, body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body));
        } finally {
            metrics.record(endpoint, status, System.nanoTime() - started);
        }
    }

    /** The hosts, for log lines. */
    public String describe() {
        return "Elasticsearch " + hosts.describe();
    }

    @Override
    public void close() throws IOException {
        rest.close();
    }
}
