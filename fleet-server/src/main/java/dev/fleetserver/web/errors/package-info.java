/**
 * Fleet's error answers on the wire: the {@code {"statusCode","error","message"}} record and the writer used by
 * filters, the advice and the container's error page. Knows no feature.
 */
@NullMarked
package dev.fleetserver.web.errors;

import org.jspecify.annotations.NullMarked;
