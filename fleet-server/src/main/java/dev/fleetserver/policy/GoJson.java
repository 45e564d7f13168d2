package dev.fleetserver.policy;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The bytes Go's {@code encoding/json} encoder produces for a {@code map[string]interface{}} that was decoded from
 * the same JSON. Upstream hashes output permissions in this form (data-model §6), so reproducing it exactly keeps
 * the {@code permissions_hash} an upstream server stored valid and spares agents needless key updates.
 *
 * <p>Compact, object keys sorted in UTF-8 byte order at every level, every number as a float64, strings with
 * Go's escapes and HTML escaping on: {@code <}, {@code >}, {@code &}, U+2028 and U+2029 become six-character
 * unicode escapes with lower-case hex, as do control characters without a short escape; other non-ASCII text is
 * written as is.
 */
public final class GoJson {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoJson() {}

    /** The compact canonical text of {@code node}, without a trailing newline. */
    public static String canonical(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> writeString(node.stringValue(), out);
            case NUMBER -> out.append(GoFloat.format(asFloat64(node)));
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL, MISSING -> out.append("null");
            // A []byte, which is what a binary node stands for, is encoded by Go as a base64 string.
            case BINARY -> writeString(Base64.getEncoder().encodeToString(node.binaryValue()), out);
            case POJO -> throw new IllegalArgumentException("json: unsupported value of type POJO");
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out) {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            members.add(Map.entry(asGoString(member.getKey()), member.getValue()));
        }
        members.sort(Map.Entry.comparingByKey(GoStringOrder.INSTANCE));
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> member : members) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(member.getKey(), out);
            out.append(':');
            write(member.getValue(), out);
        }
        out.append('}');
    }

    /** Go decodes every JSON number into a float64 before encoding it again. */
    private static double asFloat64(JsonNode node) {
        return node.isBigInteger() || node.isBigDecimal() ? node.decimalValue().doubleValue() : node.doubleValue();
    }

    private static void writeString(String text, StringBuilder out) {
        String s = asGoString(text);
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(c, out);
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(c, out);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(char c, StringBuilder out) {
        out.append("\\u")
                .append(HEX[(c >> 12) & 0xF])
                .append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF])
                .append(HEX[c & 0xF]);
    }

    /**
     * Go strings hold UTF-8, and its decoder turns an unpaired surrogate escape into U+FFFD; doing the same here
     * keeps sorting and hashing equal to Go's for such (odd, but legal) JSON.
     */
    private static String asGoString(String s) {
        StringBuilder fixed = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired =
                    Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (paired) {
                if (fixed != null) {
                    fixed.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (fixed == null) {
                    fixed = new StringBuilder(s.length()).append(s, 0, i);
                }
                fixed.append('\uFFFD');
            } else if (fixed != null) {
                fixed.append(c);
            }
        }
        return fixed == null ? s : fixed.toString();
    }
}
