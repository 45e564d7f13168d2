package dev.fleetserver.store.elasticsearch;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;
import dev.fleetserver.store.StoreUnavailableException;
import dev.fleetserver.store.StoreUnavailableException.Reason;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Translates the client's exceptions into {@link StoreUnavailableException}, the one storage failure features
 * see. Messages name the failing action and Elasticsearch's own reason, never a credential.
 */
final class ElasticsearchErrors {

    private ElasticsearchErrors() {}

    static StoreUnavailableException translate(Exception e, String action, String where) {
        if (e instanceof ElasticsearchException es) {
            return fromStatus(es.status(), describe(es), action, e);
        }
        if (e instanceof RawResponseException raw) {
            return fromStatus(raw.status(), raw.getMessage(), action, e);
        }
        if (e instanceof TransportException transport && transport.statusCode() > 0) {
            return fromStatus(transport.statusCode(), "status " + transport.statusCode(), action, e);
        }
        if (e instanceof IOException) {
            return new StoreUnavailableException(
                    Reason.UNREACHABLE,
                    where + " is unreachable (" + rootMessage(e) + ") while trying to " + action,
                    e);
        }
        return new StoreUnavailableException(Reason.ERROR, "failed to " + action + ": " + rootMessage(e), e);
    }

    /** The status of an Elasticsearch error answer, or -1 for other failures. */
    static int status(Exception e) {
        if (e instanceof ElasticsearchException es) {
            return es.status();
        }
        if (e instanceof TransportException transport) {
            return transport.statusCode();
        }
        if (e instanceof RawResponseException raw) {
            return raw.status();
        }
        return -1;
    }

    /** Elasticsearch's error type (e.g. {@code resource_already_exists_exception}), or null. */
    static @Nullable String errorType(Exception e) {
        return e instanceof ElasticsearchException es && es.error() != null
                ? es.error().type()
                : null;
    }

    private static StoreUnavailableException fromStatus(int status, String detail, String action, Exception e) {
        if (status == 401) {
            return new StoreUnavailableException(
                    Reason.CREDENTIALS_REFUSED,
                    "Elasticsearch refused the service token (401) while trying to " + action
                            + "; check output.elasticsearch.service_token",
                    e);
        }
        if (status == 403) {
            return new StoreUnavailableException(
                    Reason.CREDENTIALS_REFUSED, "the service account may not " + action + " (403): " + detail, e);
        }
        return new StoreUnavailableException(Reason.ERROR, "elastic fail " + status + ": " + detail, e, status);
    }

    private static String describe(ElasticsearchException e) {
        if (e.error() == null) {
            return e.getMessage();
        }
        return e.error().type() + ": " + e.error().reason();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
