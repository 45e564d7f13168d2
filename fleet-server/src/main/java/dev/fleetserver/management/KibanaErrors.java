package dev.fleetserver.management;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kibana's error body, {@code {"statusCode":404,"error":"Not Found","message":"..."}}: {@code error} is the HTTP
 * reason phrase (unlike the agent listener's Fleet errors, whose {@code error} is a code such as {@code
 * BadRequest}).
 */
final class KibanaErrors {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private KibanaErrors() {}

    static ObjectNode body(int status, String message) {
        HttpStatus known = HttpStatus.resolve(status);
        ObjectNode body = JSON.createObjectNode();
        body.put("statusCode", status);
        body.put("error", known == null ? "Error" : known.getReasonPhrase());
        body.put("message", message);
        return body;
    }

    static void write(HttpServletResponse response, int status, String message) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        byte[] bytes = JSON.writeValueAsBytes(body(status, message));
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType("application/json; charset=utf-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }
}
