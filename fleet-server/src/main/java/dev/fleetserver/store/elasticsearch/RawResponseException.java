package dev.fleetserver.store.elasticsearch;

import java.io.IOException;
import tools.jackson.databind.JsonNode;

/** Elasticsearch answered a raw request with an error status; the body is Elasticsearch's error JSON. */
final class RawResponseException extends IOException {

    private final int status;
    private final transient JsonNode body;

    RawResponseException(int status, JsonNode body) {
        super("status " + status + ": " + body.path("error").path("type").asString("") + ": "
                + body.path("error").path("reason").asString(""));
        this.status = status;
        this.body = body;
    }

    int status() {
        return status;
    }

    String errorType() {
        return body.path("error").path("type").asString("");
    }
}
