/** Secrets referenced by policies and actions, read through the {@link dev.fleetserver.secret.SecretStore} port. */
@NullMarked
package dev.fleetserver.secret;

import org.jspecify.annotations.NullMarked;
