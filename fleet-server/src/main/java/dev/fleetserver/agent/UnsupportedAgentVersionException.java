package dev.fleetserver.agent;

/** The agent is older than 7.13 or newer than the server's minor: 400 {@code UnsupportedVersion}. */
public final class UnsupportedAgentVersionException extends RuntimeException {
    public UnsupportedAgentVersionException() {
        super("version is not supported");
    }
}
