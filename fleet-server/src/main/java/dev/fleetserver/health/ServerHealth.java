package dev.fleetserver.health;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's current {@link HealthState}. {@code GET /api/status} and the monitoring listener's readiness
 * probe both read it, so they always agree.
 */
public class ServerHealth {

    private final AtomicReference<HealthState> state = new AtomicReference<>(HealthState.STARTING);

    public HealthState state() {
        return state.get();
    }

    public boolean isReady() {
        return state().isReady();
    }

    void set(HealthState next) {
        state.set(next);
    }
}
