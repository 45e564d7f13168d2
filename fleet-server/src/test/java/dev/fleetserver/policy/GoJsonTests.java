package dev.fleetserver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class GoJsonTests {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static JsonNode json(String text) {
        return MAPPER.readTree(text);
    }

    @Test
    void sortsKeysAtEveryLevelAndWritesCompactly() {
        JsonNode node = json("""
                { "b": 1, "a": { "d": [3, 2, {"z": 0, "y": 0}], "c": null }, "A": true, "_": false }
                """);

        assertThat(GoJson.canonical(node))
                .isEqualTo("{\"A\":true,\"_\":false,\"a\":{\"c\":null,\"d\":[3,2,{\"y\":0,\"z\":0}]},\"b\":1}");
    }

    @Test
    void sortsKeysByUtf8BytesNotByUtf16Units() {
        // U+E000 is EE 80 80 in UTF-8 and sorts before U+1F600 (F0 9F 98 80); as UTF-16 the emoji (D83D ...) would
        // come first.
        ObjectNode node = NODES.objectNode()
                .put("\uD83D\uDE00", 1)
                .put("\uE000", 2)
                .put("z", 3)
                .put("é", 4);

        assertThat(GoJson.canonical(node)).isEqualTo("{\"z\":3,\"é\":4,\"\uE000\":2,\"\uD83D\uDE00\":1}");
    }

    @Test
    void escapesLikeGoWithHtmlEscaping() {
        JsonNode node = NODES.stringNode("<a href=\"x\">&amp;</a> back\\slash");

        assertThat(GoJson.canonical(node))
                .isEqualTo("\"\\u003ca href=\\\"x\\\"\\u003e\\u0026amp;\\u003c/a\\u003e back\\\\slash\"");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0000 | \\u0000
            0001 | \\u0001
            0008 | \\b
            0009 | \\t
            000a | \\n
            000b | \\u000b
            000c | \\f
            000d | \\r
            001f | \\u001f
            2028 | \\u2028
            2029 | \\u2029
            """)
    void escapesControlCharactersAndLineSeparators(String codePoint, String escaped) {
        String text = "a" + Character.toString(Integer.parseInt(codePoint, 16)) + "b";

        assertThat(GoJson.canonical(NODES.stringNode(text))).isEqualTo("\"a" + escaped + "b\"");
    }

    @Test
    void writesOtherCharactersVerbatim() {
        String text = "DEL\u007f é ü 日本 \uD83D\uDE00 \u2027 \u202a ' /";

        assertThat(GoJson.canonical(NODES.stringNode(text))).isEqualTo("\"" + text + "\"");
    }

    @Test
    void unpairedSurrogatesBecomeTheReplacementCharacterAsGoDecodesThem() {
        JsonNode node = json("{\"k\\ud800\": \"x\\udc00y\"}");

        assertThat(GoJson.canonical(node)).isEqualTo("{\"k\uFFFD\":\"x\uFFFDy\"}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0                        | 0
            -0.0                     | -0
            1                        | 1
            1.0                      | 1
            -42                      | -42
            1E+2                     | 100
            1.5                      | 1.5
            0.1                      | 0.1
            3.14159                  | 3.14159
            -2.5                     | -2.5
            1e20                     | 100000000000000000000
            9.999999999999999e20     | 999999999999999900000
            1e21                     | 1e+21
            1.5e21                   | 1.5e+21
            1e100                    | 1e+100
            123456789012345678       | 123456789012345680
            9007199254740993         | 9007199254740992
            9223372036854775807      | 9223372036854776000
            12345678901234567890123  | 1.2345678901234568e+22
            0.000001                 | 0.000001
            0.000001234              | 0.000001234
            2.5e-5                   | 0.000025
            1e-7                     | 1e-7
            9.99e-7                  | 9.99e-7
            1.5e-7                   | 1.5e-7
            -1e-7                    | -1e-7
            1e-10                    | 1e-10
            1.7976931348623157e308   | 1.7976931348623157e+308
            5e-324                   | 5e-324
            1e-323                   | 1e-323
            """)
    void formatsNumbersAsGoFormatsAFloat64(String number, String expected) {
        assertThat(GoJson.canonical(json(number))).isEqualTo(expected);
        assertThat(GoJson.canonical(json("[" + number + "]"))).isEqualTo("[" + expected + "]");
    }

    @Test
    void bigNumberNodesAreReadAsFloat64Too() {
        JsonMapper bigDecimals = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();

        assertThat(GoJson.canonical(bigDecimals.readTree("[0.1, 1.50, 1e-7, 2.0]")))
                .isEqualTo("[0.1,1.5,1e-7,2]");
        assertThat(GoJson.canonical(NODES.numberNode(new BigInteger("100000000000000000000000"))))
                .isEqualTo("1e+23");
        assertThat(GoJson.canonical(NODES.numberNode(new BigDecimal("123.4500"))))
                .isEqualTo("123.45");
    }

    @Test
    void refusesWhatGoCannotEncode() {
        assertThatThrownBy(() -> GoJson.canonical(NODES.numberNode(Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported value");
        assertThatThrownBy(() -> GoJson.canonical(NODES.numberNode(Double.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesLiteralsAndEmptyContainers() {
        assertThat(GoJson.canonical(json("[true, false, null, {}, [], \"\"]")))
                .isEqualTo("[true,false,null,{},[],\"\"]");
    }

    @Test
    void writesAPolicysOutputPermissions() {
        JsonNode permissions = json("""
                {
                  "nginx-logs-1": {
                    "indices": [ { "privileges": ["auto_configure", "create_doc"],
                                   "names": ["logs-nginx.access-default", "logs-nginx.error-default"] } ]
                  },
                  "_elastic_agent_checks": { "cluster": ["monitor"] }
                }
                """);

        assertThat(GoJson.canonical(permissions))
                .isEqualTo("{\"_elastic_agent_checks\":{\"cluster\":[\"monitor\"]},"
                        + "\"nginx-logs-1\":{\"indices\":[{\"names\":[\"logs-nginx.access-default\","
                        + "\"logs-nginx.error-default\"],\"privileges\":[\"auto_configure\",\"create_doc\"]}]}}");
    }
}
