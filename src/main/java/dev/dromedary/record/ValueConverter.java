package dev.dromedary.record;

import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * Turns a source value (PostgreSQL's text form) into a property value of the property's type, in a canonical
 * text form the record store casts to JSON. An invalid value gives a reason instead; nothing throws.
 */
public final class ValueConverter {
    private static final DateTimeFormatter PG_TIMESTAMP = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral(' ')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendPattern("[XXXXX][XXX][X]").optionalEnd()
            .parseDefaulting(ChronoField.OFFSET_SECONDS, 0)
            .toFormatter(Locale.ROOT);

    /** A converted value, or the reason it was refused (value then null). */
    public record Converted(String value, String invalidReason) {
        static Converted ok(String v) {
            return new Converted(v, null);
        }

        static Converted invalid(String reason) {
            return new Converted(null, reason);
        }
    }

    private ValueConverter() {
    }

    public static Converted convert(PropertyType type, String raw) {
        // An empty string counts as no value, as in Grouparoo.
        if (raw == null || raw.isEmpty()) {
            return Converted.ok(null);
        }
        String v = raw.trim();
        return switch (type) {
            case STRING -> Converted.ok(raw);
            case INTEGER -> integer(v);
            case FLOAT -> floating(v);
            case BOOLEAN -> bool(v);
            case DATE -> date(v);
            case TIMESTAMP -> timestamp(v);
            case EMAIL -> isEmail(v) ? Converted.ok(v) : Converted.invalid("'" + abbreviate(raw)
                    + "' is not an email address");
            case URL -> url(v, raw);
        };
    }

    /**
     * What {@code ^[^@\s]+@[^@\s]+\.[^@\s]+$} matches, without a regex: no whitespace and exactly one '@', something
     * before it, and after it a '.' with something on each side. A Matcher per value was a tenth of the import's
     * allocations (ValueConverterTest compares the two).
     */
    static boolean isEmail(String v) {
        int at = -1;
        int n = v.length();
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c == '@') {
                if (at >= 0) {
                    return false;
                }
                at = i;
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r') {
                return false;
            }
        }
        if (at <= 0) {
            return false;
        }
        int dot = v.indexOf('.', at + 2);
        return dot > 0 && dot < n - 1;
    }

    /** What {@code ^[+-]?\d+$} matches: an optional sign and ASCII digits. */
    static boolean isPlainInteger(String v) {
        int n = v.length();
        int i = n > 0 && (v.charAt(0) == '+' || v.charAt(0) == '-') ? 1 : 0;
        if (i == n) {
            return false;
        }
        for (; i < n; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * A decimal that BigDecimal's plain string gives back unchanged and that is a finite double: digits, at most one
     * '.' between digits, an optional '-', no leading zero, no negative zero, no exponent, not too long.
     */
    static boolean isCanonicalDecimal(String v) {
        int n = v.length();
        int i = n > 0 && v.charAt(0) == '-' ? 1 : 0;
        int start = i;
        int dot = -1;
        boolean nonZero = false;
        for (; i < n; i++) {
            char c = v.charAt(i);
            if (c == '.') {
                if (dot >= 0) {
                    return false;
                }
                dot = i;
            } else if (c >= '0' && c <= '9') {
                nonZero |= c != '0';
            } else {
                return false;
            }
        }
        int intDigits = (dot < 0 ? n : dot) - start;
        return intDigits >= 1 && intDigits <= 300 && dot != n - 1
                && (v.charAt(start) != '0' || intDigits == 1)
                && (nonZero || start == 0);
    }

    private static Converted integer(String v) {
        if (isPlainInteger(v)) {
            return Converted.ok(v);
        }
        try {
            java.math.BigDecimal d = new java.math.BigDecimal(v);
            if (d.stripTrailingZeros().scale() <= 0) {
                return Converted.ok(d.toBigInteger().toString());
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        return Converted.invalid("'" + abbreviate(v) + "' is not an integer");
    }

    private static Converted floating(String v) {
        if (isCanonicalDecimal(v)) {
            return Converted.ok(v);
        }
        try {
            double d = Double.parseDouble(v);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return Converted.invalid("'" + v + "' is not a finite number");
            }
            return Converted.ok(new java.math.BigDecimal(v).toPlainString());
        } catch (NumberFormatException e) {
            return Converted.invalid("'" + abbreviate(v) + "' is not a number");
        }
    }

    private static Converted bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "t", "true", "1", "yes", "y", "on" -> Converted.ok("true");
            case "f", "false", "0", "no", "n", "off" -> Converted.ok("false");
            default -> Converted.invalid("'" + abbreviate(v) + "' is not a boolean");
        };
    }

    private static Converted date(String v) {
        try {
            return Converted.ok(LocalDate.parse(v.length() > 10 ? v.substring(0, 10) : v).toString());
        } catch (DateTimeParseException e) {
            return Converted.invalid("'" + abbreviate(v) + "' is not a date");
        }
    }

    /** Timestamps are kept in UTC; one without a zone is read as UTC. */
    private static Converted timestamp(String v) {
        String plain = PgTimestamp.canonical(v);
        return plain != null ? Converted.ok(plain) : parsedTimestamp(v);
    }

    /** Any form the formatters know, PostgreSQL's or ISO 8601's. */
    static Converted parsedTimestamp(String v) {
        Instant instant = null;
        try {
            instant = OffsetDateTime.parse(v, PG_TIMESTAMP).toInstant();
        } catch (DateTimeParseException e) {
            try {
                instant = OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException e2) {
                try {
                    instant = LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e3) {
                    try {
                        instant = LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
                    } catch (DateTimeParseException e4) {
                        return Converted.invalid("'" + abbreviate(v) + "' is not a timestamp");
                    }
                }
            }
        }
        return Converted.ok(DateTimeFormatter.ISO_INSTANT.format(instant));
    }

    private static Converted url(String v, String raw) {
        try {
            URI u = new URI(v);
            if (u.getScheme() != null && u.getHost() != null) {
                return Converted.ok(v);
            }
        } catch (Exception ignored) {
            // refused below
        }
        return Converted.invalid("'" + abbreviate(raw) + "' is not a URL");
    }

    private static String abbreviate(String v) {
        return v.length() <= 80 ? v : v.substring(0, 77) + "...";
    }

    /**
     * The SQL that turns the canonical text in a staging column into a value of the SQL type whose JSON form the
     * store keeps, for jsonb_build_object: a number, a boolean, a string, or JSON as it is. jsonb_build_object
     * converts each argument as to_jsonb would; wrapping each in to_jsonb first cost about 40% more (measured on
     * 100,000 records of 11 properties: 533-575 ms against 390 ms; the same objects, byte for byte, over 1,001,000).
     */
    public static String toJsonSql(PropertyType type, boolean array, String column) {
        if (array) {
            return column + "::jsonb";
        }
        return switch (type) {
            case INTEGER -> column + "::numeric";
            case FLOAT -> column + "::float8";
            case BOOLEAN -> column + "::boolean";
            default -> column;
        };
    }
}
