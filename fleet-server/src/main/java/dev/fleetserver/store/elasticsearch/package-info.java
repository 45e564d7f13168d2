/**
 * The Elasticsearch adapters: the client connection (service token, product-origin header, TLS), the
 * bootstrap of the {@code .fleet-*} indices, and implementations of the features' ports. Index names, field
 * names and query shapes stay inside this package.
 */
@NullMarked
package dev.fleetserver.store.elasticsearch;

import org.jspecify.annotations.NullMarked;
