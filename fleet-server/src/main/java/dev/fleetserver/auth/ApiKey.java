package dev.fleetserver.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * An Elasticsearch API key as agents present it: {@code Authorization: ApiKey base64(id:secret)}. Its
 * {@link #toString()} shows only the id.
 */
public record ApiKey(String id, String secret) {

    private static final String PREFIX = "ApiKey ";

    /**
     * Parses the {@code Authorization} header lines of a request exactly as upstream does (§7.1): one line,
     * the case-sensitive {@code ApiKey } prefix, strict standard base64 of UTF-8 text, and exactly one colon.
     */
    public static ApiKey fromAuthorizationHeaders(List<String> values) {
        if (values.isEmpty()) {
            throw new ApiKeyException(ApiKeyException.Problem.NO_HEADER);
        }
        if (values.size() > 1 || !values.getFirst().startsWith(PREFIX)) {
            throw new ApiKeyException(ApiKeyException.Problem.MALFORMED_HEADER);
        }
        String token = values.getFirst().substring(PREFIX.length()).strip();
        String decoded = decode(token);
        String[] parts = decoded.split(":", -1);
        if (parts.length != 2) {
            throw new ApiKeyException(ApiKeyException.Problem.MALFORMED_TOKEN);
        }
        return new ApiKey(parts[0], parts[1]);
    }

    private static String decode(String token) {
        // Go's StdEncoding insists on padding; Java's decoder would accept a token without it.
        if (token.length() % 4 != 0) {
            throw new ApiKeyException(ApiKeyException.Problem.INVALID_TOKEN);
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(token);
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw new ApiKeyException(ApiKeyException.Problem.INVALID_TOKEN);
        }
    }

    /** The token form, {@code base64(id:secret)}, to present the key to Elasticsearch. */
    public String encoded() {
        return Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "ApiKey[id=" + id + "]";
    }
}
