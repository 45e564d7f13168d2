/**
 * Authentication of agents' API keys: parsing the {@code Authorization} header, checking keys through the
 * {@link dev.fleetserver.auth.ApiKeyVerifier} port, and caching successful checks.
 */
@NullMarked
package dev.fleetserver.auth;

import org.jspecify.annotations.NullMarked;
