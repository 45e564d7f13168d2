package dev.fleetserver.management;

import static dev.fleetserver.management.Schema.arrayOf;
import static dev.fleetserver.management.Schema.bool;
import static dev.fleetserver.management.Schema.literalNull;
import static dev.fleetserver.management.Schema.maybe;
import static dev.fleetserver.management.Schema.number;
import static dev.fleetserver.management.Schema.object;
import static dev.fleetserver.management.Schema.oneOf;
import static dev.fleetserver.management.Schema.recordOf;
import static dev.fleetserver.management.Schema.string;
import static dev.fleetserver.management.Schema.withDefault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Kibana's config-schema rules and messages, as the management API applies them. */
class SchemaTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Schema.ObjectSchema QUERY = object().field("page", maybe(number().min(1)))
            .field("full", maybe(bool()))
            .field("ids", maybe(oneOf(arrayOf(string()), string())))
            .field("perPage", withDefault(number(), JsonNodeFactory.instance.numberNode(20)));

    private static JsonNode json(String singleQuoted) {
        return JSON.readTree(singleQuoted.replace('\'', '"'));
    }

    private static String violation(Schema schema, String value) {
        try {
            schema.check(value == null ? null : json(value), "request body");
        } catch (Schema.Violation e) {
            return e.getMessage();
        }
        throw new AssertionError("no violation");
    }

    @Test
    void queryStringsBecomeNumbersAndBooleansAndDefaultsAreFilledIn() {
        ObjectNode checked = QUERY.check(json("{'page':'2','full':'true'}"), "request query");

        assertThat(checked).isEqualTo(json("{'page':2,'full':true,'perPage':20}"));
    }

    @Test
    void typeMismatchesNameTheFieldAndBothTypes() {
        assertThat(violation(QUERY, "{'page':'two'}"))
                .isEqualTo("[request body.page]: expected value of type [number] but got [string]");
        assertThat(violation(QUERY, "{'full':'yes'}"))
                .isEqualTo("[request body.full]: expected value of type [boolean] but got [string]");
        assertThat(violation(QUERY, "{'page':0}"))
                .isEqualTo("[request body.page]: Value must be equal to or greater than [1].");
        assertThat(violation(object().field("name", string()), "{'name':['a']}"))
                .isEqualTo("[request body.name]: expected value of type [string] but got [Array]");
        assertThat(violation(object().field("name", string()), "{'name':null}"))
                .isEqualTo("[request body.name]: expected value of type [string] but got [null]");
        assertThat(violation(object().field("tags", maybe(arrayOf(string()))), "{'tags':['a',1]}"))
                .isEqualTo("[request body.tags.1]: expected value of type [string] but got [number]");
    }

    @Test
    void objectsAreStrictAndPlain() {
        assertThat(violation(object(), "{'x':1}")).isEqualTo("[request body.x]: definition for this key is missing");
        assertThat(violation(object(), "[]"))
                .isEqualTo("[request body]: expected a plain object value, but found [Array] instead.");
        assertThat(violation(object(), null))
                .isEqualTo("[request body]: expected a plain object value, but found [undefined] instead.");
        assertThat(violation(object().field("o", maybe(object())), "{'o':'text'}"))
                .isEqualTo("[request body.o]: could not parse object value from json input");
        assertThat(object().allowUnknowns().check(json("{'x':1}"), "request body"))
                .isEqualTo(json("{'x':1}"));
    }

    @Test
    void unionsListEveryMembersFailure() {
        assertThat(violation(object().field("id", maybe(oneOf(literalNull(), string()))), "{'id':5}"))
                .isEqualTo("[request body.id]: types that failed validation:\n"
                        + "- [request body.id.0]: expected value to equal [null]\n"
                        + "- [request body.id.1]: expected value of type [string] but got [number]");
        assertThat(QUERY.check(json("{'ids':'a'}"), "q").path("ids").asString()).isEqualTo("a");
        assertThat(QUERY.check(json("{'ids':['a','b']}"), "q").path("ids")).hasSize(2);
    }

    @Test
    void recordsCheckEveryValue() {
        assertThat(violation(object().field("m", recordOf(number())), "{'m':{'a':1,'b':'x'}}"))
                .isEqualTo("[request body.m.b]: expected value of type [number] but got [string]");
    }

    @Test
    void absentIsNotNull() {
        Schema.ObjectSchema schema = object().field("d", maybe(string()));

        assertThat(schema.check(json("{}"), "b").has("d")).isFalse();
        assertThatThrownBy(() -> schema.check(json("{'d':null}"), "b"))
                .hasMessage("[b.d]: expected value of type [string] but got [null]");
    }
}
