package dev.fleetserver.apikey;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A key just created: its id and secret. {@link #toString()} never shows the secret. */
public record CreatedApiKey(String id, String secret) {

    /** {@code base64(id:secret)}, what agents send after {@code ApiKey }. */
    public String token() {
        return Base64.getEncoder().encodeToString(plain().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code id:secret}, the form outputs carry in policies. */
    public String plain() {
        return id + ":" + secret;
    }

    @Override
    public String toString() {
        return "CreatedApiKey[id=" + id + "]";
    }
}
