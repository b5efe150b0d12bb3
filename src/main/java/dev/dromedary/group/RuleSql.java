package dev.dromedary.group;

import dev.dromedary.sql.Identifiers;
import dev.dromedary.record.PropertyType;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One group rule as SQL over the record store's {@code r.properties}, values bound as parameters. An array
 * property matches when any element matches; under a negated operator (ne, notLike, notILike, notExists) when
 * no element matches the positive one.
 */
final class RuleSql {
    static final Pattern RELATIVE = Pattern.compile("(\\d+)\\s*(day|week|month|quarter|year)s?", Pattern.CASE_INSENSITIVE);

    private RuleSql() {
    }

    /** Appends the rule's condition to {@code sql} and its bind values to {@code params}. */
    static void append(GroupRule rule, PropertyType type, boolean array, StringBuilder sql, List<Object> params,
                       java.time.Instant now) {
        String prop = Identifiers.literal(rule.property());
        GroupOp op = rule.op();
        boolean negated = op == GroupOp.NE || op == GroupOp.NOT_LIKE || op == GroupOp.NOT_I_LIKE
                || op == GroupOp.NOT_EXISTS;
        if (!array) {
            condition(op, typed("(r.properties ->> " + prop + ")", type), type, rule.value(), sql, params, now);
            return;
        }
        GroupOp positive = switch (op) {
            case NE -> GroupOp.EQ;
            case NOT_LIKE -> GroupOp.LIKE;
            case NOT_I_LIKE -> GroupOp.I_LIKE;
            case NOT_EXISTS -> GroupOp.EXISTS;
            default -> op;
        };
        sql.append(negated ? "NOT " : "").append("EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN ")
                .append("jsonb_typeof(r.properties -> ").append(prop).append(") = 'array' THEN r.properties -> ")
                .append(prop).append(" ELSE '[]'::jsonb END) AS e(v) WHERE ");
        condition(positive, typed("e.v", type), type, rule.value(), sql, params, now);
        sql.append(")");
    }

    private static String typed(String text, PropertyType type) {
        return switch (type) {
            case INTEGER, FLOAT -> text + "::numeric";
            case BOOLEAN -> text + "::boolean";
            case DATE, TIMESTAMP -> text + "::timestamptz";
            default -> text;
        };
    }

    static String sqlType(PropertyType type) {
        return switch (type) {
            case INTEGER, FLOAT -> "numeric";
            case BOOLEAN -> "boolean";
            case DATE, TIMESTAMP -> "timestamptz";
            default -> "text";
        };
    }

    private static void condition(GroupOp op, String x, PropertyType type, String value, StringBuilder sql,
                                  List<Object> params, java.time.Instant now) {
        String cast = "CAST(? AS " + sqlType(type) + ")";
        switch (op) {
            case EXISTS -> sql.append(x).append(" IS NOT NULL");
            case NOT_EXISTS -> sql.append(x).append(" IS NULL");
            case EQ -> bind(sql.append(x).append(" = ").append(cast), params, value);
            case NE -> bind(sql.append(x).append(" <> ").append(cast), params, value);
            case GT -> bind(sql.append(x).append(" > ").append(cast), params, value);
            case GTE -> bind(sql.append(x).append(" >= ").append(cast), params, value);
            case LT -> bind(sql.append(x).append(" < ").append(cast), params, value);
            case LTE -> bind(sql.append(x).append(" <= ").append(cast), params, value);
            case LIKE -> bind(sql.append(x).append(" LIKE ?"), params, value);
            case NOT_LIKE -> bind(sql.append(x).append(" NOT LIKE ?"), params, value);
            case I_LIKE -> bind(sql.append(x).append(" ILIKE ?"), params, value);
            case NOT_I_LIKE -> bind(sql.append(x).append(" NOT ILIKE ?"), params, value);
            case STARTS_WITH -> bind(sql.append(x).append(" ILIKE ? || '%'"), params, escapeLike(value));
            case ENDS_WITH -> bind(sql.append(x).append(" ILIKE '%' || ?"), params, escapeLike(value));
            case SUBSTRING -> bind(sql.append(x).append(" ILIKE '%' || ? || '%'"), params, escapeLike(value));
            case IN_THE_PAST -> {
                sql.append("(").append(x).append(" >= CAST(? AS timestamptz) - CAST(? AS interval) AND ").append(x)
                        .append(" <= CAST(? AS timestamptz))");
                params.addAll(List.of(now.toString(), interval(value), now.toString()));
            }
            case IN_THE_FUTURE -> {
                sql.append("(").append(x).append(" >= CAST(? AS timestamptz) AND ").append(x)
                        .append(" <= CAST(? AS timestamptz) + CAST(? AS interval))");
                params.addAll(List.of(now.toString(), now.toString(), interval(value)));
            }
        }
    }

    private static void bind(StringBuilder sql, List<Object> params, String value) {
        params.add(value);
    }

    static String escapeLike(String value) {
        return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** "30 days", "2 weeks", "1 quarter" → a PostgreSQL interval; null when the text is not one. */
    static String interval(String value) {
        Matcher m = RELATIVE.matcher(value == null ? "" : value.trim());
        if (!m.matches()) {
            return null;
        }
        int n = Integer.parseInt(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        return unit.equals("quarter") ? (3 * n) + " months" : n + " " + unit + "s";
    }
}
