package dev.fleetserver.config;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Expands {@code ${...}} references in configuration values the way upstream's go-ucfg does:
 *
 * <ul>
 *   <li>{@code ${NAME}}: a configuration key of the same file, else an environment variable; an error
 *       when neither is set (an empty value counts as unset);
 *   <li>{@code ${NAME:default}}: the default when unset or empty (only the first {@code :} splits, so
 *       {@code ${ES:https://localhost:9200}} works); defaults may nest further references;
 *   <li>{@code ${NAME:?message}}: an error carrying the message when unset;
 *   <li>{@code ${NAME:+alt}}: {@code alt} when set, else the empty string;
 *   <li>{@code $$} is a literal {@code $}, and {@code $}} a literal <code>}</code>.
 * </ul>
 *
 * Spring's own placeholder helper silently keeps an unresolved {@code ${NAME}} as text and knows neither
 * {@code :?} nor {@code :+}, hence this class.
 */
final class PlaceholderExpander {

    private static final int MAX_DEPTH = 16;

    private final Function<String, @Nullable String> lookup;

    /** @param lookup resolves a name to its raw value (configuration key first, then environment), or null */
    PlaceholderExpander(Function<String, @Nullable String> lookup) {
        this.lookup = lookup;
    }

    /** Whether the text contains anything this expander would change. */
    static boolean needsExpansion(String text) {
        return text.contains("$");
    }

    String expand(String text) {
        return expand(text, 0);
    }

    private String expand(String text, int depth) {
        if (depth > MAX_DEPTH) {
            throw new UnresolvedPlaceholderException("references nest too deeply (a cycle?)");
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length()) {
                char next = text.charAt(i + 1);
                if (next == '$' || next == '}') {
                    out.append(next);
                    i += 2;
                    continue;
                }
                if (next == '{') {
                    int end = matchingBrace(text, i + 2);
                    if (end < 0) {
                        throw new UnresolvedPlaceholderException("unterminated reference in \"" + text + "\"");
                    }
                    out.append(resolve(text.substring(i + 2, end), depth));
                    i = end + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private String resolve(String reference, int depth) {
        int colon = reference.indexOf(':');
        String name = (colon < 0 ? reference : reference.substring(0, colon)).strip();
        String value = lookup.apply(name);
        boolean set = value != null && !value.isEmpty();
        if (set && PlaceholderExpander.needsExpansion(value)) {
            value = expand(value, depth + 1);
        }
        if (colon < 0) {
            if (!set) {
                throw new UnresolvedPlaceholderException(
                        "${" + name + "} is not set (neither an environment variable nor a key of this file)");
            }
            return value;
        }
        String rest = reference.substring(colon + 1);
        if (rest.startsWith("?")) {
            if (!set) {
                String message = expand(rest.substring(1), depth + 1);
                throw new UnresolvedPlaceholderException(message.isBlank() ? "${" + name + "} is not set" : message);
            }
            return value;
        }
        if (rest.startsWith("+")) {
            return set ? expand(rest.substring(1), depth + 1) : "";
        }
        return set ? value : expand(rest, depth + 1);
    }

    /** Index of the brace closing a reference whose content starts at {@code from}, honouring nesting and escapes. */
    private static int matchingBrace(String text, int from) {
        int depth = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length()) {
                char next = text.charAt(i + 1);
                if (next == '{') {
                    depth++;
                    i++;
                    continue;
                }
                if (next == '$' || next == '}') {
                    i++;
                    continue;
                }
            }
            if (c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }

    /** A reference that cannot be resolved; its message never contains a resolved value. */
    static final class UnresolvedPlaceholderException extends IllegalArgumentException {
        UnresolvedPlaceholderException(String message) {
            super(message);
        }
    }
}
