package dev.dromedary.record;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ValueConverterTest {
    private static ValueConverter.Converted c(PropertyType t, String v) {
        return ValueConverter.convert(t, v);
    }

    @Test
    void validValues_becomeCanonicalText() {
        assertThat(c(PropertyType.INTEGER, "42").value()).isEqualTo("42");
        assertThat(c(PropertyType.INTEGER, "42.000").value()).isEqualTo("42");
        assertThat(c(PropertyType.FLOAT, "12.50").value()).isEqualTo("12.50");
        assertThat(c(PropertyType.BOOLEAN, "t").value()).isEqualTo("true");
        assertThat(c(PropertyType.DATE, "2024-02-29").value()).isEqualTo("2024-02-29");
        assertThat(c(PropertyType.TIMESTAMP, "2024-06-01 10:00:00+02").value()).isEqualTo("2024-06-01T08:00:00Z");
        assertThat(c(PropertyType.TIMESTAMP, "2024-06-01 10:00:00.123456").value()).isEqualTo("2024-06-01T10:00:00.123456Z");
        assertThat(c(PropertyType.EMAIL, "Ada@Example.com").value()).isEqualTo("Ada@Example.com");
        assertThat(c(PropertyType.URL, "https://example.com/a?b=c").value()).isEqualTo("https://example.com/a?b=c");
        assertThat(c(PropertyType.STRING, "O'Donoghue").value()).isEqualTo("O'Donoghue");
    }

    @Test
    void emptyString_isNoValue() {
        assertThat(c(PropertyType.STRING, "")).isEqualTo(new ValueConverter.Converted(null, null));
    }

    @Test
    void invalidValues_becomeNullWithAReason() {
        assertThat(c(PropertyType.INTEGER, "abc")).isEqualTo(new ValueConverter.Converted(null, "'abc' is not an integer"));
        assertThat(c(PropertyType.INTEGER, "1.5").invalidReason()).isEqualTo("'1.5' is not an integer");
        assertThat(c(PropertyType.FLOAT, "NaN").invalidReason()).isEqualTo("'NaN' is not a finite number");
        assertThat(c(PropertyType.FLOAT, "Infinity").invalidReason()).isEqualTo("'Infinity' is not a finite number");
        assertThat(c(PropertyType.BOOLEAN, "maybe").invalidReason()).isEqualTo("'maybe' is not a boolean");
        assertThat(c(PropertyType.TIMESTAMP, "infinity").invalidReason()).isEqualTo("'infinity' is not a timestamp");
        assertThat(c(PropertyType.EMAIL, "not-an-email").invalidReason()).isEqualTo("'not-an-email' is not an email address");
        assertThat(c(PropertyType.URL, "example").invalidReason()).isEqualTo("'example' is not a URL");
    }

    @Test
    void fastPaths_agreeWithTheRegexesAndBigDecimal_theyReplace() {
        java.util.regex.Pattern email = java.util.regex.Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
        java.util.regex.Pattern integer = java.util.regex.Pattern.compile("^[+-]?\\d+$");
        java.util.Random random = new java.util.Random(7);
        String alphabet = "a0@.-+ \t9e";
        for (int k = 0; k < 200_000; k++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(8);
            for (int i = 0; i < n; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String v = b.toString();
            assertThat(ValueConverter.isEmail(v)).as("email '%s'", v).isEqualTo(email.matcher(v).matches());
            assertThat(ValueConverter.isPlainInteger(v)).as("integer '%s'", v).isEqualTo(integer.matcher(v).matches());
            if (ValueConverter.isCanonicalDecimal(v)) {
                assertThat(new java.math.BigDecimal(v).toPlainString()).as("decimal '%s'", v).isEqualTo(v);
                assertThat(Double.isFinite(Double.parseDouble(v))).isTrue();
            }
        }
        assertThat(ValueConverter.isCanonicalDecimal("-0.0")).isFalse();
        assertThat(ValueConverter.isCanonicalDecimal("1" + "0".repeat(400))).isFalse();
        assertThat(c(PropertyType.FLOAT, "1" + "0".repeat(400)).invalidReason()).contains("not a finite number");
        assertThat(c(PropertyType.FLOAT, "12.50").value()).isEqualTo("12.50");
        assertThat(c(PropertyType.FLOAT, "-0.0").value()).isEqualTo("0.0");
    }
}
