/**
 * The management API in place of Kibana's Fleet API, on its own listener: the Tomcat connector and the
 * handler mapping that serves {@link dev.fleetserver.management.ManagementController}s only there, operator
 * keys and privileges, Kibana's error bodies and request validation. The sub-packages hold the endpoints and
 * their services; they depend on this package and on the features' ports, never the other way round. The
 * agent listener's plumbing ({@code web}, {@code limits}, {@code metrics}) never depends on it.
 */
@NullMarked
package dev.fleetserver.management;

import org.jspecify.annotations.NullMarked;
