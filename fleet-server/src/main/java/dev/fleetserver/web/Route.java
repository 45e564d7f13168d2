package dev.fleetserver.web;

import java.util.Optional;

/**
 * The agent-facing routes, recognised from the raw path before routing (as upstream's limiter does, so that
 * even a request that will get 404 counts against the route whose shape it has).
 *
 * @param metricName upstream's name in {@code http_server.routes.<name>.*}
 * @param limitName upstream's limiter key, {@code inputs[0].server.limits.<name>}
 * @param methods the methods the route answers
 */
public enum Route {
    CHECKIN("checkin", "checkin_limit", "POST"),
    ENROLL("enroll", "enroll_limit", "POST"),
    ACKS("acks", "ack_limit", "POST"),
    ARTIFACTS("artifacts", "artifact_limit", "GET"),
    STATUS("status", "status_limit", "GET"),
    OPAMP("opAMP", "opamp_limit", "GET, POST"),
    UPLOAD_START("uploadStart", "upload_start_limit", "POST"),
    UPLOAD_CHUNK("uploadChunk", "upload_chunk_limit", "PUT"),
    UPLOAD_END("uploadEnd", "upload_end_limit", "POST"),
    DELIVER_FILE("deliverFile", "file_delivery_limit", "GET"),
    GET_PGP_KEY("getPGPKey", "pgp_retrieval_limit", "GET"),
    AUDIT_UNENROLL("auditUnenroll", "audit_unenroll_limit", "POST");

    private final String metricName;
    private final String limitName;
    private final String methods;

    Route(String metricName, String limitName, String methods) {
        this.metricName = metricName;
        this.limitName = limitName;
        this.methods = methods;
    }

    /** The methods the route answers, as an {@code Allow} header value. */
    public String methods() {
        return methods;
    }

    public String metricName() {
        return metricName;
    }

    public String limitName() {
        return limitName;
    }

    /**
     * The agent route of a request: none for requests on the management listener, where agent routes do not
     * exist, else the route its raw path belongs to.
     */
    public static Optional<Route> of(jakarta.servlet.http.HttpServletRequest request) {
        return Listener.of(request) == Listener.AGENT ? of(request.getRequestURI()) : Optional.empty();
    }

    /** The route a raw request path belongs to, if any. */
    public static Optional<Route> of(String path) {
        String[] s = path.startsWith("/") ? path.substring(1).split("/", -1) : path.split("/", -1);
        if (s.length == 2 && s[0].equals("api") && s[1].equals("status")) {
            return Optional.of(STATUS);
        }
        if (s.length == 2 && s[0].equals("v1") && s[1].equals("opamp")) {
            return Optional.of(OPAMP);
        }
        if (s.length == 5
                && s[0].equals("api")
                && s[1].equals("agents")
                && s[2].equals("upgrades")
                && s[4].equals("pgp-public-key")) {
            return Optional.of(GET_PGP_KEY);
        }
        if (s.length < 3 || !s[0].equals("api") || !s[1].equals("fleet")) {
            return Optional.empty();
        }
        return switch (s[2]) {
            case "agents" -> agentRoute(s);
            case "artifacts" -> s.length == 5 ? Optional.of(ARTIFACTS) : Optional.empty();
            case "uploads" ->
                switch (s.length) {
                    case 3 -> Optional.of(UPLOAD_START);
                    case 4 -> Optional.of(UPLOAD_END);
                    case 5 -> Optional.of(UPLOAD_CHUNK);
                    default -> Optional.empty();
                };
            case "file" -> s.length == 4 ? Optional.of(DELIVER_FILE) : Optional.empty();
            default -> Optional.empty();
        };
    }

    private static Optional<Route> agentRoute(String[] s) {
        if (s.length == 4) {
            return Optional.of(ENROLL);
        }
        if (s.length == 5 && s[4].equals("checkin")) {
            return Optional.of(CHECKIN);
        }
        if (s.length == 5 && s[4].equals("acks")) {
            return Optional.of(ACKS);
        }
        if (s.length == 6 && s[4].equals("audit") && s[5].equals("unenroll")) {
            return Optional.of(AUDIT_UNENROLL);
        }
        return Optional.empty();
    }
}
