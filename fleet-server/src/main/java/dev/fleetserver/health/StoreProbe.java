package dev.fleetserver.health;

import dev.fleetserver.store.StoreUnavailableException;

/** What the health monitor needs from the fleet's store; implemented by each storage adapter. */
public interface StoreProbe {

    /**
     * Makes the store ready for the server: reachable, compatible, every index or table in place. Idempotent
     * and safe to run from several instances at once.
     *
     * @throws StoreUnavailableException when it cannot be done now
     */
    void prepare();

    /**
     * A cheap periodic check that the store still answers.
     *
     * @throws StoreUnavailableException when it does not
     */
    void check();

    /** Where the store is, for log lines (never containing credentials). */
    String describe();
}
