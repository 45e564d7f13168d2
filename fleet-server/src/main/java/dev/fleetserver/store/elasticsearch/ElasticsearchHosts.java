package dev.fleetserver.store.elasticsearch;

import dev.fleetserver.config.ElasticsearchOutput;
import java.net.URI;
import java.util.List;
import org.apache.hc.core5.http.HttpHost;
import org.jspecify.annotations.Nullable;

/**
 * {@code output.elasticsearch.hosts} as upstream reads them: {@code host}, {@code host:port} or full URLs;
 * a host without a scheme takes {@code protocol}, without a port 9200; IPv6 literals get brackets.
 *
 * @param hosts the nodes to talk to
 * @param pathPrefix the path of the first host that has one, else {@code output.elasticsearch.path}
 */
record ElasticsearchHosts(List<HttpHost> hosts, @Nullable String pathPrefix) {

    static ElasticsearchHosts from(ElasticsearchOutput output) {
        String prefix = null;
        List<HttpHost> hosts = new java.util.ArrayList<>();
        for (String raw : output.hosts()) {
            URI uri = toUri(raw.strip(), output.protocol());
            hosts.add(new HttpHost(uri.getScheme(), uri.getHost(), uri.getPort() < 0 ? 9200 : uri.getPort()));
            String path = uri.getRawPath();
            if (prefix == null && path != null && !path.isEmpty() && !path.equals("/")) {
                prefix = path;
            }
        }
        if (prefix == null && output.path() != null && !output.path().isBlank()) {
            prefix = output.path();
        }
        return new ElasticsearchHosts(List.copyOf(hosts), prefix);
    }

    private static URI toUri(String host, String protocol) {
        String text = host.contains("://") ? host : protocol + "://" + bracketIpv6(host);
        URI uri = URI.create(text);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("not a host: " + host);
        }
        return uri;
    }

    /** {@code ::1} and {@code ::1:9200} are ambiguous; a bare IPv6 literal (more than one colon) gets brackets. */
    private static String bracketIpv6(String host) {
        if (host.startsWith("[") || host.chars().filter(c -> c == ':').count() < 2) {
            return host;
        }
        return "[" + host + "]";
    }

    /** For log lines: the hosts without credentials or paths. */
    String describe() {
        return hosts.stream().map(HttpHost::toURI).toList().toString();
    }
}
