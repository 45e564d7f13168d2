/**
 * Storage: the types every port shares ({@link dev.fleetserver.store.StoreUnavailableException}) and, in
 * sub-packages, the adapters ({@code store.elasticsearch}). Features define their own ports and never import
 * an adapter; an architecture test enforces it.
 */
@NullMarked
package dev.fleetserver.store;

import org.jspecify.annotations.NullMarked;
