/**
 * Fleet Server: the control plane between Elastic Agents and the fleet's store. Features live in their own
 * packages ({@code config}, {@code health}, {@code auth}, {@code web}, {@code metrics}); storage adapters live
 * under {@code store} and are never imported by features.
 */
@NullMarked
package dev.fleetserver;

import org.jspecify.annotations.NullMarked;
