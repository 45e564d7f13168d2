/**
 * The embedded adapters: the fleet in one SQLite database under {@code path.data} (ADR 9), for a server that
 * runs without Elasticsearch. One writer thread group-commits every write (a caller is answered only once its
 * write is durable); readers use a small pool; new policy revisions and actions reach their feeds right after
 * the commit that stored them. Table and column names stay inside this package; it never imports the
 * Elasticsearch adapter.
 */
@NullMarked
package dev.fleetserver.store.embedded;

import org.jspecify.annotations.NullMarked;
