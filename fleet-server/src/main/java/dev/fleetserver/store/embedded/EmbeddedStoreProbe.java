package dev.fleetserver.store.embedded;

import dev.fleetserver.health.StoreProbe;

/** Readiness of the embedded store: open (created and migrated when needed), and answering a cheap query. */
final class EmbeddedStoreProbe implements StoreProbe {

    private final EmbeddedDatabase database;

    EmbeddedStoreProbe(EmbeddedDatabase database) {
        this.database = database;
    }

    @Override
    public void prepare() {
        database.open();
    }

    @Override
    public void check() {
        database.check();
    }

    @Override
    public String describe() {
        return database.describe();
    }
}
