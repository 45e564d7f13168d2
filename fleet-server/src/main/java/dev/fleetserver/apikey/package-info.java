/**
 * API keys the server creates for agents (access keys, output keys) through the
 * {@link dev.fleetserver.apikey.ApiKeys} port. Depends on no other feature.
 */
@NullMarked
package dev.fleetserver.apikey;

import org.jspecify.annotations.NullMarked;
