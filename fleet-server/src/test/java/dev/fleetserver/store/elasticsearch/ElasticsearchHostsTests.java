package dev.fleetserver.store.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.config.ElasticsearchOutput;
import dev.fleetserver.testsupport.TestConfigs;
import java.util.Map;
import org.apache.hc.core5.http.HttpHost;
import org.junit.jupiter.api.Test;

class ElasticsearchHostsTests {

    private static ElasticsearchOutput output(String hostsAndMore) {
        return TestConfigs.load(
                        "output.elasticsearch:\n" + hostsAndMore + "\ninputs: [{type: fleet-server}]\n", Map.of())
                .output()
                .elasticsearch();
    }

    @Test
    void hostsTakeTheProtocolAndPort9200WhenTheyHaveNone() {
        ElasticsearchHosts hosts = ElasticsearchHosts.from(
                output("  protocol: https\n  hosts: [es1, 'es2:9201', 'http://es3:9202', '::1', '[::1]:9203']"));

        assertThat(hosts.hosts())
                .containsExactly(
                        new HttpHost("https", "es1", 9200),
                        new HttpHost("https", "es2", 9201),
                        new HttpHost("http", "es3", 9202),
                        new HttpHost("https", "[::1]", 9200),
                        new HttpHost("https", "[::1]", 9203));
        assertThat(hosts.pathPrefix()).isNull();
    }

    @Test
    void aPathComesFromTheFirstHostThatHasOneElseFromPath() {
        assertThat(ElasticsearchHosts.from(output("  hosts: ['https://es:9243/es-proxy']"))
                        .pathPrefix())
                .isEqualTo("/es-proxy");
        assertThat(ElasticsearchHosts.from(output("  hosts: [es]\n  path: /behind"))
                        .pathPrefix())
                .isEqualTo("/behind");
    }
}
