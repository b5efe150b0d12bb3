package dev.dromedary.source;

import dev.dromedary.sql.Identifiers;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders filters (ANDed) as SQL over table alias {@code t}, every value a bind parameter cast to the column's
 * type. eq/ne compare typed values (so text comparison is case-sensitive); substring/notSubstring are
 * case-insensitive on the column's text form, whatever its type. Rows where the column is null match only
 * notExists (SQL semantics: null is neither equal, unequal nor containing).
 */
public final class SqlFilters {
    private final String sql;
    private final List<String> parameters;

    private SqlFilters(String sql, List<String> parameters) {
        this.sql = sql;
        this.parameters = parameters;
    }

    /** @param columnType SQL type of a column, for the casts of compared values */
    public static SqlFilters of(List<Filter> filters, java.util.function.Function<String, String> columnType) {
        List<String> parts = new ArrayList<>();
        List<String> params = new ArrayList<>();
        for (Filter f : filters) {
            String col = "t." + Identifiers.quote(f.column());
            String cast = "CAST(? AS " + columnType.apply(f.column()) + ")";
            switch (f.op()) {
                case EQ -> parts.add(col + " = " + cast);
                case NE -> parts.add(col + " <> " + cast);
                case GT -> parts.add(col + " > " + cast);
                case GTE -> parts.add(col + " >= " + cast);
                case LT -> parts.add(col + " < " + cast);
                case LTE -> parts.add(col + " <= " + cast);
                case SUBSTRING -> parts.add(col + "::text ILIKE '%' || ? || '%'");
                case NOT_SUBSTRING -> parts.add(col + "::text NOT ILIKE '%' || ? || '%'");
                case EXISTS -> parts.add(col + " IS NOT NULL");
                case NOT_EXISTS -> parts.add(col + " IS NULL");
            }
            if (f.op().takesValue()) {
                boolean like = f.op() == FilterOp.SUBSTRING || f.op() == FilterOp.NOT_SUBSTRING;
                params.add(like ? escapeLike(f.value()) : f.value());
            }
        }
        return new SqlFilters(parts.isEmpty() ? "TRUE" : String.join(" AND ", parts), List.copyOf(params));
    }

    /** The value is data: its % and _ match themselves, not any text. */
    static String escapeLike(String value) {
        return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** The condition, "TRUE" when there are no filters. */
    public String sql() {
        return sql;
    }

    /** The bind values, in the order of their ? in {@link #sql()}. */
    public List<String> parameters() {
        return parameters;
    }
}
