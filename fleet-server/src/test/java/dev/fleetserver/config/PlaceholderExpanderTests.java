package dev.fleetserver.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlaceholderExpanderTests {

    private final Map<String, String> values = Map.of(
            "HOST", "es.example",
            "EMPTY", "",
            "NESTED", "${HOST}:9200",
            "output.elasticsearch.protocol", "https");
    private final PlaceholderExpander expander = new PlaceholderExpander(values::get);

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ${HOST}                              | es.example
            https://${HOST}:9200                 | https://es.example:9200
            ${MISSING:localhost:9200}            | localhost:9200
            ${EMPTY:fallback}                    | fallback
            ${MISSING:${HOST}}                   | es.example
            ${MISSING:${ALSO_MISSING:deep}}      | deep
            ${HOST:+set}                         | set
            x${MISSING:+set}x                    | xx
            ${NESTED}                            | es.example:9200
            ${output.elasticsearch.protocol}://a | https://a
            $${HOST}                             | ${HOST}
            no references                        | no references
            price: 5$                            | price: 5$
            """)
    void expandsLikeUpstream(String text, String expected) {
        assertThat(expander.expand(text)).isEqualTo(expected);
    }

    @Test
    void anUnsetReferenceWithoutDefaultIsAnError() {
        assertThatThrownBy(() -> expander.expand("${FLEET_SERVER_SERVICE_TOKEN}"))
                .hasMessageContaining("${FLEET_SERVER_SERVICE_TOKEN} is not set");
    }

    @Test
    void anEmptyValueCountsAsUnset() {
        assertThatThrownBy(() -> expander.expand("${EMPTY}")).hasMessageContaining("${EMPTY} is not set");
    }

    @Test
    void requiredReferencesFailWithTheirMessage() {
        assertThatThrownBy(() -> expander.expand("${TOKEN_FILE:?TOKEN_FILE must point at a token}"))
                .hasMessage("TOKEN_FILE must point at a token");
        assertThat(expander.expand("${HOST:?unused}")).isEqualTo("es.example");
    }

    @Test
    void unterminatedReferencesAreErrors() {
        assertThatThrownBy(() -> expander.expand("${HOST")).hasMessageContaining("unterminated");
    }

    @Test
    void aCycleIsAnErrorNotAHang() {
        var cyclic = new PlaceholderExpander(Map.of("A", "${B}", "B", "${A}")::get);
        assertThatThrownBy(() -> cyclic.expand("${A}")).hasMessageContaining("cycle");
    }
}
