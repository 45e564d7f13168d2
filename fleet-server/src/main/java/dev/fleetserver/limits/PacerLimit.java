package dev.fleetserver.limits;

import java.time.Duration;

/**
 * The pace of an internal hand-out (actions or policies to waiting long polls): one per {@code interval},
 * with up to {@code burst} at once.
 *
 * @param interval zero = unpaced
 * @param burst how many may go at once after a quiet period
 */
public record PacerLimit(Duration interval, int burst) {

    /** A pacer with these settings. */
    public Pacer newPacer() {
        return new Pacer(interval, burst);
    }
}
