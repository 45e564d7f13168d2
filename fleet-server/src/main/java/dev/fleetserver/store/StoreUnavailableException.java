package dev.fleetserver.store;

/**
 * The fleet's store cannot serve a request: unreachable, refusing the server's credentials, or answering
 * with an error. Thrown by storage adapters, which translate their backend's errors into it. Its message is
 * meant for operators and never contains a credential.
 */
public class StoreUnavailableException extends RuntimeException {

    private final Reason reason;
    private final int status;

    public StoreUnavailableException(Reason reason, String message) {
        this(reason, message, null, -1);
    }

    public StoreUnavailableException(Reason reason, String message, Throwable cause) {
        this(reason, message, cause, -1);
    }

    /** @param status the store's own status code for the failure, or -1 */
    public StoreUnavailableException(
            Reason reason, String message, @org.jspecify.annotations.Nullable Throwable cause, int status) {
        super(message, cause);
        this.reason = reason;
        this.status = status;
    }

    /** The store's status code for the failure (an Elasticsearch HTTP status), or -1 when it gave none. */
    public int status() {
        return status;
    }

    public Reason reason() {
        return reason;
    }

    /** Why the store is unavailable; decides the log line and, on agent requests, the status code. */
    public enum Reason {
        /** No connection could be made (refused, timed out, DNS). */
        UNREACHABLE,
        /** The store refused the server's own credentials (a wrong or revoked service token). */
        CREDENTIALS_REFUSED,
        /** The store is reachable but cannot be used as it is (too old, wrong index layout). */
        INCOMPATIBLE,
        /** The store answered with an error. */
        ERROR
    }
}
