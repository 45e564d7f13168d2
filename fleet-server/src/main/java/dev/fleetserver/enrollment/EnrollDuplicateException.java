package dev.fleetserver.enrollment;

/** Another enrollment with the same {@code enrollment_id} is in progress: 429 {@code EnrollDuplicate}. */
public final class EnrollDuplicateException extends RuntimeException {
    public EnrollDuplicateException() {
        super("concurrent enrollment for same id: retry");
    }
}
