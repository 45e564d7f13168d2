/**
 * Loading {@code fleet-server.yml} (upstream's layout, {@code ${VAR}} expansion, Go durations) into immutable
 * records, and validating it. Depends on nothing else of the server.
 */
@NullMarked
package dev.fleetserver.config;

import org.jspecify.annotations.NullMarked;
