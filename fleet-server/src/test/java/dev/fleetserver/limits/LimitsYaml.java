package dev.fleetserver.limits;

import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.ServerLimits;
import dev.fleetserver.testsupport.FreePorts;
import dev.fleetserver.testsupport.TestConfigs;
import java.util.Map;
import java.util.stream.Collectors;

/** Test configurations with a {@code server.limits} block, loaded exactly as the server loads its file. */
final class LimitsYaml {

    private LimitsYaml() {}

    /** A whole configuration on random ports; {@code limits} and {@code runtime} are YAML under {@code server}. */
    static FleetServerConfig config(String elasticsearchUri, String limits, String runtime) {
        String yaml = """
                output.elasticsearch:
                  hosts: ['%s']
                  service_token: not-a-real-token
                inputs:
                  - type: fleet-server
                    server:
                      host: 127.0.0.1
                      port: 0
                      limits:
                %s
                      runtime:
                %s
                http:
                  enabled: true
                  host: 127.0.0.1
                  port: 0
                logging:
                  to_stderr: true
                  level: info
                """.formatted(elasticsearchUri, indent(limits), indent(runtime));
        return TestConfigs.load(yaml, Map.of());
    }

    /** A configuration whose Elasticsearch cannot be reached. */
    static FleetServerConfig unreachable(String limits) {
        return config("http://127.0.0.1:" + FreePorts.closed(), limits, "");
    }

    static ServerLimits limits(String limits) {
        return unreachable(limits).server().limits();
    }

    private static String indent(String yaml) {
        String lines = yaml.lines().map(line -> "        " + line).collect(Collectors.joining("\n"));
        // An empty mapping keeps the key valid YAML when the test sets nothing.
        return lines.isBlank() ? "        {}" : lines;
    }
}
