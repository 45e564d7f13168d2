package dev.fleetserver.policy;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A float64 written the way Go's {@code encoding/json} writes it: the shortest decimal that reads back as the same
 * double, in plain notation ({@code 1}, {@code 1.5}, {@code 100000000000000000000}) unless the magnitude is below
 * 1e-6 or at least 1e21, then in exponent notation with a signed exponent ({@code 1e+21}, {@code 1e-7},
 * {@code 1.5e-10}); a positive exponent has at least two digits, a negative one is not padded.
 */
final class GoFloat {

    /** Below this every integral double is exactly a long, so the fast path needs no rounding search. */
    private static final double EXACT_LONG_LIMIT = 0x1p53;

    private GoFloat() {}

    static String format(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("json: unsupported value: " + value);
        }
        if (value == 0) {
            // Go keeps the sign of a decoded -0.0.
            return Double.doubleToRawLongBits(value) < 0 ? "-0" : "0";
        }
        double abs = Math.abs(value);
        String sign = value < 0 ? "-" : "";
        if (abs < EXACT_LONG_LIMIT && abs == Math.rint(abs)) {
            return sign + (long) abs;
        }
        BigDecimal shortest = shortest(abs);
        String digits = shortest.unscaledValue().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        boolean scientific = abs < 1e-6 || abs >= 1e21;
        return sign + (scientific ? exponentForm(digits, exponent) : plainForm(digits, exponent));
    }

    /**
     * The shortest decimal that parses back to {@code abs}; among equally short ones the closest (ties to even).
     * Searching by precision keeps us independent of the JDK's {@code Double.toString}, whose choice for
     * subnormals differs from Go's.
     */
    private static BigDecimal shortest(double abs) {
        BigDecimal exact = new BigDecimal(abs);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (readsBackAs(nearest, abs)) {
                return nearest.stripTrailingZeros();
            }
            // Next to a power of two the interval that reads back is lopsided: the nearest candidate can miss
            // on the narrow side while the one on the other side still hits.
            RoundingMode away = nearest.compareTo(exact) < 0 ? RoundingMode.CEILING : RoundingMode.FLOOR;
            BigDecimal other = exact.round(new MathContext(precision, away));
            if (readsBackAs(other, abs)) {
                return other.stripTrailingZeros();
            }
        }
        // Not reached: 17 significant digits always identify a double.
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    private static boolean readsBackAs(BigDecimal candidate, double value) {
        return Double.parseDouble(candidate.toString()) == value;
    }

    private static String plainForm(String digits, int exponent) {
        StringBuilder out = new StringBuilder();
        if (exponent < 0) {
            out.append("0.").repeat('0', -exponent - 1).append(digits);
        } else if (digits.length() <= exponent + 1) {
            out.append(digits).repeat('0', exponent + 1 - digits.length());
        } else {
            out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
        }
        return out.toString();
    }

    private static String exponentForm(String digits, int exponent) {
        StringBuilder out = new StringBuilder().append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e');
        if (exponent < 0) {
            // strconv writes e-07; encoding/json then strips the padding zero of negative exponents.
            out.append('-').append(-exponent);
        } else {
            out.append('+');
            if (exponent < 10) {
                out.append('0');
            }
            out.append(exponent);
        }
        return out.toString();
    }
}
