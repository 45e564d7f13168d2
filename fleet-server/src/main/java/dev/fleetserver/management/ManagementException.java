package dev.fleetserver.management;

/**
 * A management request that cannot be done, with Kibana's message for it. The kind says what went wrong in the
 * domain's words; the advice turns it into the status Fleet's error handler uses (400, 404, 409, 429).
 */
public final class ManagementException extends RuntimeException {

    /** What went wrong; each kind has one status. */
    public enum Kind {
        INVALID(400),
        NOT_FOUND(404),
        CONFLICT(409),
        TOO_MANY_REQUESTS(429);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Kind kind;

    public ManagementException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static ManagementException invalid(String message) {
        return new ManagementException(Kind.INVALID, message);
    }

    public static ManagementException notFound(String message) {
        return new ManagementException(Kind.NOT_FOUND, message);
    }

    public static ManagementException conflict(String message) {
        return new ManagementException(Kind.CONFLICT, message);
    }

    /** Kibana's suffix for refusing a change to a policy an orchestrator manages. */
    public static ManagementException hostedPolicy(String what) {
        return invalid(what
                + " in Fleet because the agent policy is managed by an external orchestration solution, such as"
                + " Elastic Cloud, Kubernetes, etc. Please make changes using your orchestration solution.");
    }
}
