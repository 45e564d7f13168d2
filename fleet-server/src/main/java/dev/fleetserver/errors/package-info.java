/**
 * The one table from every feature's exceptions to Fleet's error answers, and the advice that applies it. It
 * knows every feature; nothing depends on it.
 */
@NullMarked
package dev.fleetserver.errors;

import org.jspecify.annotations.NullMarked;
