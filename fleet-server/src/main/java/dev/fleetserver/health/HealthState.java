package dev.fleetserver.health;

/** The server's state as {@code GET /api/status} reports it; only {@link #HEALTHY} answers 200. */
public enum HealthState {
    STARTING,
    CONFIGURING,
    HEALTHY,
    DEGRADED,
    FAILED,
    STOPPING,
    STOPPED;

    public boolean isReady() {
        return this == HEALTHY;
    }
}
