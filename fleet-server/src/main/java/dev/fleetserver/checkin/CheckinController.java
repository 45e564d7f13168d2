package dev.fleetserver.checkin;

import dev.fleetserver.api.BadRequestException;
import dev.fleetserver.api.UpstreamFailureException;
import dev.fleetserver.limits.EffectiveLimits;
import dev.fleetserver.limits.InvalidGzipException;
import dev.fleetserver.limits.RequestBodies;
import dev.fleetserver.limits.RequestBodyTooLargeException;
import dev.fleetserver.web.ClientDisconnects;
import dev.fleetserver.web.Route;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * {@code POST /api/fleet/agents/{id}/checkin} (agent-api §10). Returns a future: the request is held
 * asynchronously, without a thread, until the service answers.
 */
@RestController
class CheckinController {

    private final CheckinService checkins;
    private final ClientDisconnects disconnects;
    private final long maxBody;
    private final long maxDecompressed;
    private final ResponseCompression compression;

    CheckinController(
            CheckinService checkins,
            EffectiveLimits limits,
            ResponseCompression compression,
            ClientDisconnects disconnects) {
        this.checkins = checkins;
        this.disconnects = disconnects;
        this.maxBody = limits.route(Route.CHECKIN).maxBodyByteSize();
        this.maxDecompressed = limits.checkinMaxBodyDecompressed();
        this.compression = compression;
    }

    @PostMapping(path = "/api/fleet/agents/{id}/checkin")
    DeferredResult<ResponseEntity<byte[]>> checkin(@PathVariable("id") String agentId, HttpServletRequest request) {
        long received = System.nanoTime();
        String userAgent = request.getHeader("User-Agent");
        if (userAgent == null) {
            throw new UpstreamFailureException("Header parameter User-Agent is required, but not found");
        }
        boolean gzipAccepted = acceptsGzip(request);
        CompletableFuture<CheckinResponse> reply = checkins.checkin(
                Collections.list(request.getHeaders("Authorization")),
                agentId,
                userAgent,
                received,
                () -> CheckinRequest.parse(body(request)));
        DeferredResult<ResponseEntity<byte[]>> result = new DeferredResult<>();
        // The body has been read: from here on the agent sends nothing until it has its answer.
        ClientDisconnects.Watch watch =
                reply.isDone() ? null : disconnects.watch(request, () -> reply.complete(CheckinResponse.nothing()));
        reply.whenComplete((response, error) -> {
            if (watch != null) {
                watch.end();
            }
            if (error != null) {
                result.setErrorResult(error);
            } else {
                result.setResult(answer(response, gzipAccepted));
            }
        });
        // The container gave up on the request: the poll ends, nothing is held for it.
        result.onError(error -> reply.complete(CheckinResponse.nothing()));
        result.onTimeout(() -> reply.complete(CheckinResponse.nothing()));
        return result;
    }

    private ResponseEntity<byte[]> answer(CheckinResponse response, boolean gzipAccepted) {
        CheckinResponse.Body body = response.encode(gzipAccepted ? compression : null);
        var answer = ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON);
        if (body.gzipped()) {
            answer.header(HttpHeaders.CONTENT_ENCODING, "gzip");
        }
        return answer.body(body.bytes());
    }

    /** Agents send exactly {@code gzip}; a token in a list (with q-values) is accepted too (Quirk Q11, improved). */
    private static boolean acceptsGzip(HttpServletRequest request) {
        for (String value : Collections.list(request.getHeaders(HttpHeaders.ACCEPT_ENCODING))) {
            for (String token : value.split(",")) {
                String coding = token.split(";", 2)[0].strip();
                if (coding.equalsIgnoreCase("gzip") && !token.replace(" ", "").contains("q=0")) {
                    return true;
                }
            }
        }
        return false;
    }

    private byte[] body(HttpServletRequest request) {
        byte[] raw;
        try {
            raw = RequestBodies.read(request.getInputStream(), maxBody);
        } catch (RequestBodyTooLargeException e) {
            throw new BadRequestException("unable to decode checkin request", e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!"gzip".equals(request.getHeader(HttpHeaders.CONTENT_ENCODING))) {
            return raw;
        }
        try {
            return RequestBodies.gunzip(raw, maxDecompressed);
        } catch (InvalidGzipException e) {
            throw new BadRequestException("unable to create gzip reader for request body", e.getMessage());
        } catch (RequestBodyTooLargeException e) {
            throw new BadRequestException("unable to decode checkin request", e.getMessage());
        }
    }
}
