/**
 * Types shared by the agent API's features (enrollment, checkin, acks): request errors whose status codes are
 * part of the protocol. Depends on nothing.
 */
@NullMarked
package dev.fleetserver.api;

import org.jspecify.annotations.NullMarked;
