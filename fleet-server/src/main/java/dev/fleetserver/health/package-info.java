/**
 * The server's health: the state {@code GET /api/status} reports, and the monitor that derives it from the
 * store through the {@link dev.fleetserver.health.StoreProbe} port. Depends on no adapter.
 */
@NullMarked
package dev.fleetserver.health;

import org.jspecify.annotations.NullMarked;
