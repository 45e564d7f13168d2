package dev.fleetserver.management;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The part of Kibana's query language (KQL) that Fleet's list filters use, evaluated in memory: {@code
 * field:value}, {@code field:"quoted value"}, wildcards ({@code host*}, {@code field:*} for "exists"), {@code
 * field:(a or b)}, and {@code and}, {@code or}, {@code not} with parentheses, keywords in any case. Values match a
 * field's value, or any element when it is a list, exactly (numbers and booleans by their text).
 *
 * <p>Fields are resolved by the caller ({@link Fields}), so the same parser serves agents (whose {@code status} is
 * computed) and policies. Prefixes Kibana strips ({@code fleet-agents.}, {@code ingest-agent-policies.}, ...) are
 * stripped here too.
 */
public final class Kuery {

    /** The values of a field of one item; empty when it has none. */
    @FunctionalInterface
    public interface Fields {
        List<JsonNode> values(String field);
    }

    private static final List<String> PREFIXES =
            List.of("fleet-agents.", "ingest-agent-policies.", "fleet-agent-policies.", "fleet-enrollment-api-keys.");

    private final Predicate<Fields> predicate;

    private Kuery(Predicate<Fields> predicate) {
        this.predicate = predicate;
    }

    /** Matches everything. */
    public static Kuery all() {
        return new Kuery(fields -> true);
    }

    /**
     * Parses a query; blank matches everything.
     *
     * @param parameter where it came from, for the error, e.g. {@code kuery}
     * @throws ManagementException (400) when it is not valid
     */
    public static Kuery parse(@Nullable String text, String parameter) {
        if (text == null || text.isBlank()) {
            return all();
        }
        try {
            Parser parser = new Parser(tokenize(text));
            Predicate<Fields> predicate = parser.orExpression();
            if (!parser.atEnd()) {
                throw new IllegalArgumentException("unexpected \"" + parser.peek() + "\"");
            }
            return new Kuery(predicate);
        } catch (IllegalArgumentException e) {
            throw ManagementException.invalid(
                    "KQLSyntaxError: " + e.getMessage() + " in " + parameter + " \"" + text + "\"");
        }
    }

    public boolean matches(Fields fields) {
        return predicate.test(fields);
    }

    // ------------------------------------------------------------------ tokens

    private record Token(String text, boolean quoted) {
        boolean is(String symbol) {
            return !quoted && text.equals(symbol);
        }

        boolean isKeyword(String keyword) {
            return !quoted && text.equalsIgnoreCase(keyword);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private static List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == ':') {
                tokens.add(new Token(String.valueOf(c), false));
                i++;
            } else if (c == '"') {
                StringBuilder value = new StringBuilder();
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                if (i >= text.length()) {
                    throw new IllegalArgumentException("unterminated quoted value");
                }
                i++;
                tokens.add(new Token(value.toString(), true));
            } else {
                StringBuilder value = new StringBuilder();
                while (i < text.length()) {
                    char d = text.charAt(i);
                    if (Character.isWhitespace(d) || d == '(' || d == ')' || d == ':' || d == '"') {
                        break;
                    }
                    if (d == '\\' && i + 1 < text.length()) {
                        i++;
                        d = text.charAt(i);
                    }
                    value.append(d);
                    i++;
                }
                tokens.add(new Token(value.toString(), false));
            }
        }
        return tokens;
    }

    // ------------------------------------------------------------------ grammar

    private static final class Parser {
        private final List<Token> tokens;
        private int at;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        boolean atEnd() {
            return at >= tokens.size();
        }

        Token peek() {
            if (atEnd()) {
                throw new IllegalArgumentException("unexpected end of query");
            }
            return tokens.get(at);
        }

        Token next() {
            Token token = peek();
            at++;
            return token;
        }

        void expect(String symbol) {
            Token token = next();
            if (!token.is(symbol)) {
                throw new IllegalArgumentException("expected \"" + symbol + "\" but found \"" + token + "\"");
            }
        }

        Predicate<Fields> orExpression() {
            Predicate<Fields> left = andExpression();
            while (!atEnd() && peek().isKeyword("or")) {
                next();
                left = left.or(andExpression());
            }
            return left;
        }

        Predicate<Fields> andExpression() {
            Predicate<Fields> left = notExpression();
            while (!atEnd() && peek().isKeyword("and")) {
                next();
                left = left.and(notExpression());
            }
            return left;
        }

        Predicate<Fields> notExpression() {
            if (peek().isKeyword("not")) {
                next();
                return notExpression().negate();
            }
            if (peek().is("(")) {
                next();
                Predicate<Fields> inner = orExpression();
                expect(")");
                return inner;
            }
            Token field = next();
            if (field.quoted || field.is(")")) {
                throw new IllegalArgumentException("expected a field name but found \"" + field + "\"");
            }
            expect(":");
            String name = stripPrefix(field.text());
            // field:(a or b) groups values; without parentheses the value is one term (field:a and b means
            // (field:a) and b, as in KQL).
            Predicate<List<JsonNode>> value = valueNot();
            return fields -> value.test(fields.values(name));
        }

        // Value expressions apply to all of a field's values: tags:(a and b) means tags:a and tags:b.
        Predicate<List<JsonNode>> valueOr() {
            Predicate<List<JsonNode>> left = valueAnd();
            while (!atEnd() && peek().isKeyword("or")) {
                next();
                left = left.or(valueAnd());
            }
            return left;
        }

        Predicate<List<JsonNode>> valueAnd() {
            Predicate<List<JsonNode>> left = valueNot();
            while (!atEnd() && peek().isKeyword("and")) {
                next();
                left = left.and(valueNot());
            }
            return left;
        }

        Predicate<List<JsonNode>> valueNot() {
            if (peek().isKeyword("not")) {
                next();
                return valueNot().negate();
            }
            if (peek().is("(")) {
                next();
                Predicate<List<JsonNode>> inner = valueOr();
                expect(")");
                return inner;
            }
            Token value = next();
            if (value.is(")") || value.is(":")) {
                throw new IllegalArgumentException("expected a value but found \"" + value + "\"");
            }
            Predicate<JsonNode> matcher = matcher(value);
            return values -> values.stream().anyMatch(matcher);
        }
    }

    private static Predicate<JsonNode> matcher(Token value) {
        if (value.quoted() || !value.text().contains("*")) {
            String expected = value.text();
            return node -> text(node).equals(expected);
        }
        if (value.text().equals("*")) {
            return node -> true;
        }
        String[] parts = value.text().split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        Pattern pattern = Pattern.compile(regex.toString(), Pattern.DOTALL);
        return node -> pattern.matcher(text(node)).matches();
    }

    private static String text(JsonNode node) {
        return node.isValueNode() ? node.asString() : node.toString();
    }

    private static String stripPrefix(String field) {
        String stripped = field;
        for (String prefix : PREFIXES) {
            if (stripped.startsWith(prefix)) {
                stripped = stripped.substring(prefix.length());
            }
        }
        return stripped.replace(".attributes.", ".").replaceFirst("^attributes\\.", "");
    }

    /**
     * Field values from a JSON document by dotted path, flattening lists on the way; extra computed fields (such
     * as an agent's {@code status}) come first.
     */
    public static Fields fieldsOf(JsonNode document, Function<String, @Nullable List<JsonNode>> computed) {
        return field -> {
            List<JsonNode> extra = computed.apply(field);
            if (extra != null) {
                return extra;
            }
            List<JsonNode> found = new ArrayList<>();
            collect(document, field.split("\\."), 0, found);
            return found;
        };
    }

    private static void collect(JsonNode node, String[] path, int index, List<JsonNode> found) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (node.isArray()) {
            node.forEach(element -> collect(element, path, index, found));
            return;
        }
        if (index == path.length) {
            found.add(node);
            return;
        }
        collect(node.get(path[index]), path, index + 1, found);
    }

    /** Whether Kibana would include unenrolled agents: the query names {@code status:*} or {@code status:unenrolled}. */
    public static boolean mentionsUnenrolled(@Nullable String text) {
        if (text == null) {
            return false;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        return lower.contains("status:*") || lower.contains("status:unenrolled");
    }
}
