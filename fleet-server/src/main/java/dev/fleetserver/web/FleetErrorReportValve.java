package dev.fleetserver.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's error page for requests that never reach the application (a malformed request line, headers too
 * large): Fleet's JSON instead of Tomcat's HTML, never with a stack trace.
 */
public class FleetErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        if (status == 400
                && throwable != null
                && String.valueOf(throwable.getMessage()).contains("header is too large")) {
            // Go's server answers 431 for oversized request headers; Tomcat says 400.
            status = 431;
            response.setStatus(status);
        }
        HttpStatus known = HttpStatus.resolve(status);
        String error = known == null ? "Error" : known.getReasonPhrase().replace(" ", "");
        String message = known == null ? "error" : known.getReasonPhrase().toLowerCase(Locale.ROOT);
        // A wrong method (TRACE, refused by the container) gets the router's empty 405.
        byte[] body = status == 405
                ? new byte[0]
                : ("{\"statusCode\":" + status + ",\"error\":\"" + error + "\",\"message\":\"" + message + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
        try {
            if (response.getHeader(RequestIdFilter.HEADER) == null) {
                response.setHeader(RequestIdFilter.HEADER, UUID.randomUUID().toString());
            }
            if (body.length > 0) {
                response.setContentType("application/json; charset=utf-8");
                response.setHeader("X-Content-Type-Options", "nosniff");
            }
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // The connection is gone or the answer was already started; nothing more to say.
        }
    }
}
