package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.Jackson3JsonpMapper;
import co.elastic.clients.transport.rest5_client.Rest5ClientOptions;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.RequestOptions;
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
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to Elasticsearch: the official client over the Rest5 (HttpClient 5, async) transport,
 * authenticated with the service token as {@code Authorization: Bearer}, marked with
 * {@code X-elastic-product-origin: fleet} on every request, with upstream's timeouts and connection cap.
 */
public final class ElasticsearchConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ElasticsearchConnection.class);
    static final String PRODUCT_ORIGIN_HEADER = "X-elastic-product-origin";

    private final ElasticsearchClient client;
    private final Rest5Client rest;
    private final ElasticsearchHosts hosts;

    private ElasticsearchConnection(ElasticsearchClient client, Rest5Client rest, ElasticsearchHosts hosts) {
        this.client = client;
        this.rest = rest;
        this.hosts = hosts;
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
        var transport = new Rest5ClientTransport(
                rest,
                new Jackson3JsonpMapper(),
                new Rest5ClientOptions(RequestOptions.DEFAULT, false),
                new ElasticsearchRequestMetrics(registry));
        return new ElasticsearchConnection(new ElasticsearchClient(transport), rest, hosts);
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

    /** The hosts, for log lines. */
    public String describe() {
        return "Elasticsearch " + hosts.describe();
    }

    @Override
    public void close() throws IOException {
        rest.close();
    }
}
