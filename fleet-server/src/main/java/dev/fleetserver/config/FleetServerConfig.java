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
 */
public record FleetServerConfig(
        @DefaultValue Output output,
        @DefaultValue Fleet fleet,
        @Nullable List<InputConfig> inputs,
        @DefaultValue Http http,
        @DefaultValue Logging logging) {

    public FleetServerConfig {
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
    }

    /** The single fleet-server input; the loader guarantees there is exactly one. */
    public InputConfig input() {
        return inputs.getFirst();
    }

    public ServerConfig server() {
        return input().server();
    }

    /** {@code output.*}: upstream knows only an Elasticsearch output. */
    public record Output(@Nullable ElasticsearchOutput elasticsearch) {}

    /** {@code fleet.*}. */
    public record Fleet(
            @DefaultValue Agent agent, @DefaultValue Host host) {}

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
