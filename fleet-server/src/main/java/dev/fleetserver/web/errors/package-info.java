/**
 * Fleet's error answers: the wire record, the one mapping table from exceptions to answers, and the writer
 * used by filters. Knows the features' exceptions; no feature depends on it.
 */
@NullMarked
package dev.fleetserver.web.errors;

import org.jspecify.annotations.NullMarked;
