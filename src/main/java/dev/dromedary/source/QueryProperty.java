package dev.dromedary.source;

import dev.dromedary.run.Errors;
import dev.dromedary.sql.Identifiers;
import dev.dromedary.sql.Transactions;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * One query property, checked against the database at start-up and evaluated for a whole batch of records in
 * one statement: the template runs once per record inside a LATERAL join over arrays of the records' variable
 * values, each cast to the type PostgreSQL inferred for its place in the query.
 */
public final class QueryProperty {
    private final PropertyDefinition property;
    private final QueryTemplate template;
    private final String batchSql;

    private QueryProperty(PropertyDefinition property, QueryTemplate template, String batchSql) {
        this.property = property;
        this.template = template;
        this.batchSql = batchSql;
    }

    /**
     * Prepares the template (in a read-only transaction) to learn its variables' types and first column, and
     * refuses what is not a single, read-only SELECT.
     * @param problems receives "why not", naming nothing; the caller names the source and property
     */
    public static QueryProperty prepare(PropertyDefinition property, Connection c, List<String> problems)
            throws SQLException {
        QueryTemplate template = new QueryTemplate(property.query());
        String problem = template.problem();
        if (problem != null) {
            problems.add(problem);
            return null;
        }
        String plain = template.render(i -> "?");
        List<String> types = new ArrayList<>();
        String firstColumn;
        c.setAutoCommit(false);
        c.setReadOnly(true);
        try (PreparedStatement ps = c.prepareStatement(plain)) {
            ParameterMetaData pm = ps.getParameterMetaData();
            for (int i = 1; i <= pm.getParameterCount(); i++) {
                types.add(pm.getParameterTypeName(i));
            }
            ResultSetMetaData md = ps.getMetaData();
            if (md == null || md.getColumnCount() == 0) {
                problems.add("returns no column");
                return null;
            }
            firstColumn = md.getColumnLabel(1);
            String writes = writes(c, plain, types.size());
            if (writes != null) {
                problems.add("is refused: it would write (" + writes + "); query sources only read");
                return null;
            }
        } catch (SQLException e) {
            problems.add(Errors.describe(e));
            return null;
        } finally {
            Transactions.endReadOnly(c);
        }
        int n = template.variables().size();
        StringBuilder arrays = new StringBuilder();
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < n; i++) {
            arrays.append(", CAST(? AS text[])");
            names.append(", v").append(i);
        }
        String body = template.render(i -> "CAST(k.v" + i + " AS " + types.get(i) + ")");
        String value = property.array()
                ? "coalesce(array_agg(q." + Identifiers.quote(firstColumn) + "::text), '{}')"
                : "(array_agg(q." + Identifiers.quote(firstColumn) + "::text))[1]";
        String batch = "SELECT k.pk, (SELECT " + value + " FROM (" + body + ") AS q) FROM unnest(CAST(? AS text[])"
                + arrays + ") AS k(pk" + names + ")";
        return new QueryProperty(property, template, batch);
    }

    /** The plan's node types: a data-modifying statement hidden in a CTE shows up as ModifyTable. */
    private static String writes(Connection c, String plain, int params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (FORMAT JSON) " + plain)) {
            for (int i = 1; i <= params; i++) {
                ps.setNull(i, Types.NULL);
            }
            try (var rs = ps.executeQuery()) {
                rs.next();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"Operation\": \"(Insert|Update|Delete|Merge)\"")
                        .matcher(rs.getString(1));
                return m.find() ? m.group(1).toUpperCase(java.util.Locale.ROOT) : null;
            }
        }
    }

    public PropertyDefinition property() {
        return property;
    }

    public List<String> variables() {
        return template.variables();
    }

    /**
     * Evaluates for a batch in one round trip. {@code values[i]} holds record {@code i}'s value of each variable
     * (a record missing one is left out by the caller).
     * @return per record key: String, or String[] for arrays
     */
    public java.util.Map<String, Object> evaluate(Connection c, List<String> keys, List<String[]> values)
            throws SQLException {
        java.util.Map<String, Object> out = new java.util.HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(batchSql)) {
            ps.setArray(1, c.createArrayOf("text", keys.toArray()));
            for (int v = 0; v < template.variables().size(); v++) {
                String[] column = new String[keys.size()];
                for (int r = 0; r < keys.size(); r++) {
                    column[r] = values.get(r)[v];
                }
                ps.setArray(2 + v, c.createArrayOf("text", column));
            }
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), property.array()
                            ? (String[]) rs.getArray(2).getArray() : rs.getString(2));
                }
            }
        }
        return out;
    }
}
