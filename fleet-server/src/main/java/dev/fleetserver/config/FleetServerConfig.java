package dev.fleetserver.config;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The whole of {@code fleet-server.yml}, in upstream's layout. Loaded once at start by {@link FleetConfigLoader}
 * and never changed afterwards.
 *
 * @param output where the fleet's data lives ({@code output.elasticsearch})
 * @param fleet identity of the agent that runs this server (upstream agent mode; informational here)
 * @param inputs exactly one input of type {@code fleet-server}, validated by the loader
 * @param http the local monitoring listener ({@code /metrics}, {@code /stats})
 * @param logging where and how loud the server logs
 * @param path where the server keeps its files ({@code path.data}: the embedded store)
 * @param preconfiguration policies and enrollment tokens declared in the file; read apart from the binding,
 *     since their content is free-form
 */
public record FleetServerConfig(
        @DefaultValue Output output,
        @DefaultValue Fleet fleet,
        @Nullable List<InputConfig> inputs,
        @DefaultValue Http http,
        @DefaultValue Logging logging,
        @DefaultValue Paths path,
        @DefaultValue Preconfiguration preconfiguration) {

    public FleetServerConfig {
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
    }

    /** Which store holds the fleet: Elasticsearch when an output is configured, else the embedded one. */
    public StoreKind store() {
        String chosen = fleet.store();
        if (chosen == null || chosen.isBlank()) {
            return output.elasticsearch() == null ? StoreKind.EMBEDDED : StoreKind.ELASTICSEARCH;
        }
        return StoreKind.valueOf(chosen.strip().toUpperCase(java.util.Locale.ROOT));
    }

    /** Where the embedded store keeps its files. */
    public java.nio.file.Path dataPath() {
        return java.nio.file.Path.of(path.data()).toAbsolutePath().normalize();
    }

    FleetServerConfig withOutput(Output newOutput) {
        return new FleetServerConfig(newOutput, fleet, inputs, http, logging, path, preconfiguration);
    }

    FleetServerConfig withFleet(Fleet newFleet) {
        return new FleetServerConfig(output, newFleet, inputs, http, logging, path, preconfiguration);
    }

    FleetServerConfig withInputs(List<InputConfig> newInputs) {
        return new FleetServerConfig(output, fleet, newInputs, http, logging, path, preconfiguration);
    }

    FleetServerConfig withPreconfiguration(Preconfiguration declared) {
        return new FleetServerConfig(output, fleet, inputs, http, logging, path, declared);
    }

    /** The two stores a fleet can live in. */
    public enum StoreKind {
        EMBEDDED,
        ELASTICSEARCH
    }

    /** {@code path.*}, as in upstream's beats layout; only {@code path.data} is used. */
    public record Paths(@DefaultValue("data") String data) {}

    /** The single fleet-server input; the loader guarantees there is exactly one. */
    public InputConfig input() {
        return inputs.getFirst();
    }

    public ServerConfig server() {
        return input().server();
    }

    /** {@code output.*}: upstream knows only an Elasticsearch output. */
    public record Output(@Nullable ElasticsearchOutput elasticsearch) {}

    /**
     * {@code fleet.*}.
     *
     * @param store (ours) {@code embedded} or {@code elasticsearch}; unset means Elasticsearch when {@code
     *     output.elasticsearch} is configured, else embedded
     * @param management (ours) the management API in place of Kibana
     */
    public record Fleet(
            @DefaultValue Agent agent,
            @DefaultValue Host host,
            @Nullable String store,
            @DefaultValue Management management) {}

    /**
     * {@code fleet.management.*} (ours): the management API, with Kibana's Fleet API shapes, on its own listener.
     *
     * @param apiKeys operator keys, sent as {@code Authorization: ApiKey base64(id:key)}
     * @param apiKeysFile a YAML file with an {@code api_keys} list of the same form, read at start
     */
    public record Management(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("127.0.0.1") String host,
            @DefaultValue("8222") int port,
            @Nullable List<OperatorKey> apiKeys,
            @Nullable String apiKeysFile) {

        public Management {
            apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        }
    }

    /**
     * One operator key of the management API.
     *
     * @param privileges Kibana's Fleet privilege names ({@code fleet-agents-all}, {@code
     *     fleet-agent-policies-read}, ...), or {@code all} / {@code read}; {@code all} when absent
     */
    public record OperatorKey(
            @Nullable String id,
            @Nullable Secret key,
            @Nullable List<String> privileges) {

        public OperatorKey {
            privileges = privileges == null || privileges.isEmpty() ? List.of("all") : List.copyOf(privileges);
        }
    }

    /** {@code fleet.agent.*}: upstream replaces the id with a random one in standalone mode. */
    public record Agent(
            @Nullable String id,
            @Nullable String version,
            @DefaultValue AgentLogging logging) {}

    /** {@code fleet.agent.logging.*}: a deprecated override of {@code logging.level}. */
    public record AgentLogging(@Nullable String level) {}

    /** {@code fleet.host.*}. */
    public record Host(@Nullable String id, @Nullable String name) {}

    /**
     * {@code http.*}: the monitoring listener, off by default as upstream, and bound to localhost because it
     * has no authentication.
     */
    public record Http(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("localhost") String host,
            @DefaultValue("5066") int port,
            @DefaultValue NamedPipe namedPipe) {}

    /** {@code http.named_pipe.*}: Windows only; accepted so upstream files load. */
    public record NamedPipe(@Nullable String user, @Nullable String securityDescriptor) {}

    /**
     * {@code logging.*}. Upstream's default is JSON into {@code ./fleet-server.log}; containers want
     * {@code to_stderr: true}.
     */
    public record Logging(
            @DefaultValue("info") String level,
            @DefaultValue("false") boolean toStderr,
            @DefaultValue("true") boolean toFiles,
            @DefaultValue("false") boolean pretty,
            @DefaultValue LogFiles files) {}

    /** {@code logging.files.*}: the rotating log file. */
    public record LogFiles(
            @Nullable String path,
            @DefaultValue("fleet-server.log") String name,
            @DefaultValue("10485760") long rotateeverybytes,
            @DefaultValue("7") int keepfiles,
            @DefaultValue("0600") String permissions,
            @DefaultValue("0s") java.time.Duration interval,
            @DefaultValue("true") boolean rotateonstartup,
            @DefaultValue("false") boolean redirectStderr) {}

    /** Extra request headers, kept exactly as written (header names are case-insensitive on the wire). */
    static Map<String, String> headers(@Nullable Map<String, String> headers) {
        return headers == null ? Map.of() : Map.copyOf(headers);
    }
}
