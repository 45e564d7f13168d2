package dev.fleetserver.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code output.elasticsearch.*}: how to reach Elasticsearch.
 *
 * @param protocol scheme for hosts written without one
 * @param hosts endpoints as {@code host}, {@code host:port} or full URLs; a missing port means 9200
 * @param path path prefix for hosts that have none (Elasticsearch behind a path-routing proxy)
 * @param headers extra headers on every request; {@code X-elastic-product-origin: fleet} is always added
 * @param serviceToken bearer token of the {@code elastic/fleet-server} service account
 * @param serviceTokenPath file holding the token, read at start when {@code service_token} is empty
 * @param timeout response-header timeout of ordinary calls (monitors wait longer on purpose)
 * @param maxRetries parsed for compatibility; upstream always retries 5 times
 * @param maxConnPerHost connection cap per host
 * @param maxContentLength largest request body sent
 */
public record ElasticsearchOutput(
        @DefaultValue("http") String protocol,
        @DefaultValue("localhost:9200") List<String> hosts,
        @Nullable String path,
        @Nullable Map<String, String> headers,
        @Nullable Secret serviceToken,
        @Nullable String serviceTokenPath,
        @Nullable String proxyUrl,
        @DefaultValue("false") boolean proxyDisable,
        @Nullable Map<String, String> proxyHeaders,
        @Nullable TlsConfig ssl,
        @DefaultValue("90s") Duration timeout,
        @DefaultValue("3") int maxRetries,
        @DefaultValue("128") int maxConnPerHost,
        @DefaultValue("104857600") long maxContentLength) {

    public ElasticsearchOutput {
        hosts = List.copyOf(hosts);
        headers = FleetServerConfig.headers(headers);
        proxyHeaders = FleetServerConfig.headers(proxyHeaders);
    }

    /** A copy whose token was read from {@code service_token_path}. */
    ElasticsearchOutput withServiceToken(Secret token) {
        return new ElasticsearchOutput(
                protocol,
                hosts,
                path,
                headers,
                token,
                serviceTokenPath,
                proxyUrl,
                proxyDisable,
                proxyHeaders,
                ssl,
                timeout,
                maxRetries,
                maxConnPerHost,
                maxContentLength);
    }

    /** Whether TLS settings apply: an {@code ssl} block turns TLS on unless it says {@code enabled: false}. */
    public boolean tlsConfigured() {
        return ssl != null && ssl.isEnabled();
    }
}
