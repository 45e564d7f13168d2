package dev.fleetserver.auth;

/** An agent's API key was missing, malformed or refused; {@link Problem} decides the status code. */
public final class ApiKeyException extends RuntimeException {

    private final Problem problem;

    public ApiKeyException(Problem problem) {
        super(problem.name());
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    /** What was wrong, in the order upstream checks it (agent-api §7.1–7.2). */
    public enum Problem {
        NO_HEADER,
        MALFORMED_HEADER,
        INVALID_TOKEN,
        MALFORMED_TOKEN,
        /** Elasticsearch does not know the key, or it was invalidated. */
        REJECTED,
        /** Elasticsearch knows the key but reports it disabled. */
        NOT_ENABLED,
        /** Elasticsearch answered 429 to the authentication call. */
        RATE_LIMITED
    }
}
