package dev.fleetserver.policy;

/**
 * A policy revision cannot be rendered for an agent (no outputs, an output of unknown type, an OTel exporter that
 * names no usable output). Upstream fails the checkin with a 500 in these cases.
 */
public final class PolicyRenderException extends RuntimeException {

    public PolicyRenderException(String message) {
        super(message);
    }
}
