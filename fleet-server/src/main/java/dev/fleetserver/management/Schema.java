package dev.fleetserver.management;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Request validation with the rules and messages of Kibana's {@code @kbn/config-schema}, so that scripts see the
 * same 400 answers: objects are strict (an unknown key is {@code definition for this key is missing}), numbers
 * and booleans also accept their string forms (query parameters), the first failure wins, and every message
 * names the field, e.g. {@code [request body.name]: expected value of type [string] but got [undefined]}.
 *
 * <p>{@link #check} returns the value as the endpoint should use it: defaults filled in, numeric strings turned
 * into numbers.
 */
public abstract class Schema {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Schema() {}

    /**
     * Validates a value; {@code null} means "absent" (JavaScript's {@code undefined}).
     *
     * @param path where the value sits, e.g. {@code request body.name}
     * @throws Violation on the first problem
     */
    public abstract @Nullable JsonNode check(@Nullable JsonNode value, String path);

    /** The first problem found: where, and what. The message is Kibana's {@code [<path>]: <reason>}. */
    public static final class Violation extends RuntimeException {

        private final String path;
        private final String reason;

        public Violation(String path, String reason) {
            super(path.isEmpty() ? reason : "[" + path + "]: " + reason, null, false, false);
            this.path = path;
            this.reason = reason;
        }

        public String path() {
            return path;
        }

        public String reason() {
            return reason;
        }
    }

    // ------------------------------------------------------------------ factories

    public static StringSchema string() {
        return new StringSchema(0, Integer.MAX_VALUE, s -> null);
    }

    public static NumberSchema number() {
        return new NumberSchema(null, null, false);
    }

    public static Schema bool() {
        return new BooleanSchema();
    }

    /** Any JSON value (objects are not checked inside). */
    public static Schema any() {
        return new AnySchema();
    }

    public static Schema literal(String value) {
        return new LiteralSchema(NODES.stringNode(value));
    }

    /** JSON {@code null} only; used in {@code oneOf(literalNull(), ...)} for nullable fields. */
    public static Schema literalNull() {
        return new LiteralSchema(NODES.nullNode());
    }

    public static Schema arrayOf(Schema items) {
        return new ArraySchema(items);
    }

    /** An object with any keys whose values all match {@code values}. */
    public static Schema recordOf(Schema values) {
        return new RecordSchema(values);
    }

    public static Schema oneOf(Schema... members) {
        return new OneOfSchema(List.of(members));
    }

    /** {@code undefined} allowed; {@code null} is still refused, as in Kibana. */
    public static Schema maybe(Schema schema) {
        return new MaybeSchema(schema, null);
    }

    /** Absent means {@code defaultValue}. */
    public static Schema withDefault(Schema schema, JsonNode defaultValue) {
        return new MaybeSchema(schema, defaultValue);
    }

    /** {@code null} or a value of {@code schema}, and also absent. */
    public static Schema nullable(Schema schema) {
        return maybe(oneOf(literalNull(), schema));
    }

    public static ObjectSchema object() {
        return new ObjectSchema(new LinkedHashMap<>(), false, o -> null);
    }

    // ------------------------------------------------------------------ helpers

    /** The type name Kibana's messages use (type-detect): {@code undefined}, {@code Array}, {@code Object}, ... */
    static String typeOf(@Nullable JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "undefined";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isString()) {
            return "string";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isArray()) {
            return "Array";
        }
        return "Object";
    }

    static Violation typeMismatch(String path, String expected, @Nullable JsonNode value) {
        return new Violation(path, "expected value of type [" + expected + "] but got [" + typeOf(value) + "]");
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    // ------------------------------------------------------------------ types

    /** {@code schema.string()}: minimum and maximum length, and an extra rule returning a message or null. */
    public static final class StringSchema extends Schema {
        private final int minLength;
        private final int maxLength;
        private final Function<String, @Nullable String> rule;

        StringSchema(int minLength, int maxLength, Function<String, @Nullable String> rule) {
            this.minLength = minLength;
            this.maxLength = maxLength;
            this.rule = rule;
        }

        public StringSchema minLength(int length) {
            return new StringSchema(length, maxLength, rule);
        }

        public StringSchema maxLength(int length) {
            return new StringSchema(minLength, length, rule);
        }

        public StringSchema rule(Function<String, @Nullable String> check) {
            return new StringSchema(minLength, maxLength, check);
        }

        @Override
        public JsonNode check(@Nullable JsonNode value, String path) {
            if (value == null || !value.isString()) {
                throw typeMismatch(path, "string", value);
            }
            String text = value.asString();
            if (text.length() < minLength) {
                throw new Violation(
                        path,
                        "value has length [" + text.length() + "] but it must have a minimum length of [" + minLength
                                + "].");
            }
            if (text.length() > maxLength) {
                throw new Violation(
                        path,
                        "value has length [" + text.length() + "] but it must have a maximum length of [" + maxLength
                                + "].");
            }
            String problem = rule.apply(text);
            if (problem != null) {
                throw new Violation(path, problem);
            }
            return value;
        }
    }

    /** {@code schema.number()}: numeric strings are converted; optional bounds and an integer rule. */
    public static final class NumberSchema extends Schema {
        private final @Nullable Double min;
        private final @Nullable Double max;
        private final boolean integer;

        NumberSchema(@Nullable Double min, @Nullable Double max, boolean integer) {
            this.min = min;
            this.max = max;
            this.integer = integer;
        }

        public NumberSchema min(double bound) {
            return new NumberSchema(bound, max, integer);
        }

        public NumberSchema max(double bound) {
            return new NumberSchema(min, bound, integer);
        }

        /** Fleet's {@code isInteger} rule: {@code 1.5 is not a valid integer}. */
        public NumberSchema integer() {
            return new NumberSchema(min, max, true);
        }

        @Override
        public JsonNode check(@Nullable JsonNode value, String path) {
            double number;
            JsonNode result;
            if (value != null && value.isNumber()) {
                number = value.asDouble();
                result = value;
            } else if (value != null && value.isString() && isNumeric(value.asString())) {
                number = Double.parseDouble(value.asString().strip());
                // As a JSON parser would have read the same digits: int, then long, else double.
                if (number == Math.rint(number) && Math.abs(number) <= Integer.MAX_VALUE) {
                    result = NODES.numberNode((int) number);
                } else if (number == Math.rint(number) && Math.abs(number) < 9.007199254740992E15) {
                    result = NODES.numberNode((long) number);
                } else {
                    result = NODES.numberNode(number);
                }
            } else {
                throw typeMismatch(path, "number", value);
            }
            if (min != null && number < min) {
                throw new Violation(path, "Value must be equal to or greater than [" + format(min) + "].");
            }
            if (max != null && number > max) {
                throw new Violation(path, "Value must be equal to or lower than [" + format(max) + "].");
            }
            if (integer && number != Math.rint(number)) {
                throw new Violation(path, format(number) + " is not a valid integer");
            }
            return result;
        }

        private static boolean isNumeric(String text) {
            return text.strip().matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
        }

        private static String format(double number) {
            return number == Math.rint(number) ? Long.toString((long) number) : Double.toString(number);
        }
    }

    private static final class BooleanSchema extends Schema {
        @Override
        public JsonNode check(@Nullable JsonNode value, String path) {
            if (value != null && value.isBoolean()) {
                return value;
            }
            if (value != null
                    && value.isString()
                    && (value.asString().equals("true") || value.asString().equals("false"))) {
                return NODES.booleanNode(Boolean.parseBoolean(value.asString()));
            }
            throw typeMismatch(path, "boolean", value);
        }
    }

    private static final class AnySchema extends Schema {
        @Override
        public JsonNode check(@Nullable JsonNode value, String path) {
            if (value == null || value.isMissingNode()) {
                throw typeMismatch(path, "any", value);
            }
            return value;
        }
    }

    private static final class LiteralSchema extends Schema {
        private final JsonNode expected;

        LiteralSchema(JsonNode expected) {
            this.expected = expected;
        }

        @Override
        public JsonNode check(@Nullable JsonNode value, String path) {
            if (value == null || !value.equals(expected)) {
                throw new Violation(
                        path, "expected value to equal [" + (expected.isNull() ? "null" : expected.asString()) + "]");
            }
            return value;
        }
    }

    private static final class ArraySchema extends Schema {
        private final Schema items;

        ArraySchema(Schema items) {
            this.items = items;
        }

        @Override
        public JsonNode check(@Nullable JsonNode value, String path) {
            if (value == null || !value.isArray()) {
                throw typeMismatch(path, "array", value);
            }
            ArrayNode checked = NODES.arrayNode();
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = items.check(value.get(i), child(path, Integer.toString(i)));
                checked.add(item);
            }
            return checked;
        }
    }

    private static final class RecordSchema extends Schema {
        private final Schema values;

        RecordSchema(Schema values) {
            this.values = values;
        }

        @Override
        public JsonNode check(@Nullable JsonNode value, String path) {
            ObjectNode object = requireObject(value, path);
            ObjectNode checked = NODES.objectNode();
            for (Map.Entry<String, JsonNode> entry : object.properties()) {
                checked.set(entry.getKey(), values.check(entry.getValue(), child(path, entry.getKey())));
            }
            return checked;
        }
    }

    private static final class OneOfSchema extends Schema {
        private final List<Schema> members;

        OneOfSchema(List<Schema> members) {
            this.members = members;
        }

        @Override
        public @Nullable JsonNode check(@Nullable JsonNode value, String path) {
            List<Violation> failures = new ArrayList<>();
            for (int i = 0; i < members.size(); i++) {
                try {
                    return members.get(i).check(value, members.size() == 1 ? path : child(path, Integer.toString(i)));
                } catch (Violation e) {
                    failures.add(e);
                }
            }
            if (failures.size() == 1) {
                throw failures.getFirst();
            }
            StringBuilder reason = new StringBuilder("types that failed validation:");
            for (Violation failure : failures) {
                // A nested union's own list is indented by one space, as config-schema prints it.
                reason.append("\n- [")
                        .append(failure.path())
                        .append("]: ")
                        .append(failure.reason().replace("\n", "\n "));
            }
            throw new Violation(path, reason.toString());
        }
    }

    private static final class MaybeSchema extends Schema {
        private final Schema schema;
        private final @Nullable JsonNode defaultValue;

        MaybeSchema(Schema schema, @Nullable JsonNode defaultValue) {
            this.schema = schema;
            this.defaultValue = defaultValue;
        }

        @Override
        public @Nullable JsonNode check(@Nullable JsonNode value, String path) {
            if (value == null || value.isMissingNode()) {
                return defaultValue == null ? null : defaultValue.deepCopy();
            }
            return schema.check(value, path);
        }
    }

    static ObjectNode requireObject(@Nullable JsonNode value, String path) {
        if (value instanceof ObjectNode object) {
            return object;
        }
        if (value != null && value.isString()) {
            throw new Violation(path, "could not parse object value from json input");
        }
        throw new Violation(path, "expected a plain object value, but found [" + typeOf(value) + "] instead.");
    }

    /**
     * {@code schema.object({...})}: declared keys checked in order, then unknown keys refused (unless {@link
     * #allowUnknowns()}), then an object-level rule.
     */
    public static final class ObjectSchema extends Schema {
        private final Map<String, Schema> fields;
        private final boolean allowUnknowns;
        private final Function<ObjectNode, @Nullable Violation> rule;

        ObjectSchema(
                Map<String, Schema> fields, boolean allowUnknowns, Function<ObjectNode, @Nullable Violation> rule) {
            this.fields = fields;
            this.allowUnknowns = allowUnknowns;
            this.rule = rule;
        }

        /** Adds a key; use {@link #maybe}, {@link #withDefault} for optional ones. */
        public ObjectSchema field(String name, Schema schema) {
            Map<String, Schema> more = new LinkedHashMap<>(fields);
            more.put(name, schema);
            return new ObjectSchema(more, allowUnknowns, rule);
        }

        /** Every key of {@code other} as well (Kibana's {@code extends}). */
        public ObjectSchema fields(ObjectSchema other) {
            Map<String, Schema> more = new LinkedHashMap<>(fields);
            more.putAll(other.fields);
            return new ObjectSchema(more, allowUnknowns, rule);
        }

        public ObjectSchema allowUnknowns() {
            return new ObjectSchema(fields, true, rule);
        }

        /** An object-level rule (after the keys): a violation, with its own path, or null. */
        public ObjectSchema rule(Function<ObjectNode, @Nullable Violation> check) {
            return new ObjectSchema(fields, allowUnknowns, check);
        }

        public java.util.Set<String> keys() {
            return fields.keySet();
        }

        @Override
        public ObjectNode check(@Nullable JsonNode value, String path) {
            ObjectNode object = requireObject(value, path);
            ObjectNode checked = NODES.objectNode();
            for (Map.Entry<String, Schema> field : fields.entrySet()) {
                JsonNode given = object.get(field.getKey());
                JsonNode result = field.getValue().check(given, child(path, field.getKey()));
                if (result != null) {
                    checked.set(field.getKey(), result);
                }
            }
            for (Map.Entry<String, JsonNode> entry : object.properties()) {
                if (!fields.containsKey(entry.getKey())) {
                    if (!allowUnknowns) {
                        throw new Violation(child(path, entry.getKey()), "definition for this key is missing");
                    }
                    checked.set(entry.getKey(), entry.getValue());
                }
            }
            Violation violation = rule.apply(checked);
            if (violation != null) {
                throw violation;
            }
            return checked;
        }
    }
}
