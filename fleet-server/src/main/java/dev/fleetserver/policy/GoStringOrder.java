package dev.fleetserver.policy;

import java.util.Comparator;

/**
 * Go's string order: byte order of the UTF-8 encoding, which is code point order. Java's {@link String#compareTo}
 * compares UTF-16 units instead and puts supplementary characters before U+E000..U+FFFF, so it cannot be used
 * where the result must match what a Go server sorted.
 */
final class GoStringOrder implements Comparator<String> {

    static final GoStringOrder INSTANCE = new GoStringOrder();

    private GoStringOrder() {}

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
