package dev.fleetserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiKeyTests {

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesTheTokenAgentsSend() {
        ApiKey key = ApiKey.fromAuthorizationHeaders(List.of("ApiKey " + b64("key-id:key-secret")));

        assertThat(key.id()).isEqualTo("key-id");
        assertThat(key.secret()).isEqualTo("key-secret");
        assertThat(key.encoded()).isEqualTo(b64("key-id:key-secret"));
        assertThat(key.toString()).contains("key-id").doesNotContain("key-secret");
    }

    @Test
    void emptyPartsAreSyntacticallyAllowed() {
        assertThat(ApiKey.fromAuthorizationHeaders(List.of("ApiKey " + b64(":"))))
                .isEqualTo(new ApiKey("", ""));
    }

    @Test
    void noHeaderIsItsOwnProblem() {
        assertProblem(List.of(), ApiKeyException.Problem.NO_HEADER);
    }

    @Test
    void twoHeaderLinesAreMalformed() {
        assertProblem(
                List.of("ApiKey " + b64("a:b"), "ApiKey " + b64("a:b")), ApiKeyException.Problem.MALFORMED_HEADER);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Bearer xyz          | MALFORMED_HEADER
            apikey YTpi         | MALFORMED_HEADER
            ApiKey%%%           | MALFORMED_HEADER
            ApiKey %%%          | INVALID_TOKEN
            ApiKey YTpi=        | INVALID_TOKEN
            ApiKey bm9jb2xvbg== | MALFORMED_TOKEN
            ApiKey YTpiOmM=     | MALFORMED_TOKEN
            ApiKey //79/w==     | INVALID_TOKEN
            """)
    void malformedHeadersGetUpstreamsProblem(String header, ApiKeyException.Problem problem) {
        assertProblem(List.of(header), problem);
    }

    private static void assertProblem(List<String> headers, ApiKeyException.Problem problem) {
        assertThatThrownBy(() -> ApiKey.fromAuthorizationHeaders(headers))
                .isInstanceOfSatisfying(
                        ApiKeyException.class, e -> assertThat(e.problem()).isEqualTo(problem));
    }
}
