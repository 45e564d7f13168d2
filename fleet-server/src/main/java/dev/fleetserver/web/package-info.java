/**
 * The agent listener's HTTP plumbing shared by all routes: the route table, request ids, header and API
 * version checks, connection tracking, and {@code GET /api/status}. Features never depend on it.
 */
@NullMarked
package dev.fleetserver.web;

import org.jspecify.annotations.NullMarked;
