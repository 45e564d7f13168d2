package dev.fleetserver.config;

/**
 * A configured secret (service token, API key, passphrase). Its {@link #toString()} never shows the value,
 * so a secret cannot reach a log line or an error message by accident, e.g. through a record's toString.
 */
public record Secret(String value) {

    public boolean isBlank() {
        return value.isBlank();
    }

    @Override
    public String toString() {
        return "[redacted]";
    }
}
