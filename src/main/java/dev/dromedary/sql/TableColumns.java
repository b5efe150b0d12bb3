package dev.dromedary.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The columns of one table, read from the catalog: name → (SQL type, nullable). */
public record TableColumns(String schema, String table, Map<String, Column> columns) {

    public record Column(String name, String sqlType, boolean nullable) {
    }

    /** Empty when the table does not exist in that schema. */
    public static Optional<TableColumns> read(Connection c, String schema, String table) throws SQLException {
        String sql = """
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
                FROM pg_attribute a
                JOIN pg_class t ON t.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = ? AND t.relname = ? AND t.relkind IN ('r', 'p', 'v', 'm', 'f')
                  AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""";
        Map<String, Column> columns = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.put(rs.getString(1), new Column(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
                }
            }
        }
        return columns.isEmpty() ? Optional.empty() : Optional.of(new TableColumns(schema, table, columns));
    }

    public Optional<Column> column(String name) {
        return Optional.ofNullable(columns.get(name));
    }

    /**
     * True when a unique index or constraint covers exactly this one column and is checked immediately (not
     * DEFERRABLE): exports insert through it with INSERT ... ON CONFLICT, which needs such an index as arbiter.
     */
    public static boolean hasUniqueIndexOn(Connection c, String schema, String table, String column) throws SQLException {
        return !uniqueIndexesOn(c, schema, table, column).isEmpty();
    }

    /** The names of the unique indexes of the kind {@link #hasUniqueIndexOn} looks for. */
    public static java.util.Set<String> uniqueIndexesOn(Connection c, String schema, String table, String column)
            throws SQLException {
        String sql = """
                SELECT x.relname FROM pg_index i
                JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_class x ON x.oid = i.indexrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
                WHERE n.nspname = ? AND t.relname = ? AND a.attname = ?
                  AND i.indisunique AND i.indimmediate AND i.indnkeyatts = 1 AND i.indpred IS NULL""";
        return firstColumn(c, sql, schema, table, column);
    }

    /** The first column of every row the query returns, its parameters bound as text in order. */
    private static java.util.Set<String> firstColumn(Connection c, String sql, String... parameters)
            throws SQLException {
        java.util.Set<String> values = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }

    /** True when the table has rewrite rules (a view's own select rule does not count). */
    public static boolean hasRules(Connection c, String schema, String table) throws SQLException {
        return !firstColumn(c, "SELECT rulename FROM pg_rules WHERE schemaname = ? AND tablename = ?", schema, table)
                .isEmpty();
    }

    /** The table's columns that take no value on insert: identity GENERATED ALWAYS, and generated columns. */
    public static java.util.Set<String> generatedAlways(Connection c, String schema, String table) throws SQLException {
        String sql = """
                SELECT a.attname FROM pg_attribute a
                JOIN pg_class t ON t.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = ? AND t.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
                  AND (a.attidentity = 'a' OR a.attgenerated <> '')""";
        return firstColumn(c, sql, schema, table);
    }

    /**
     * True when a whole-table btree or hash index starts with this column, in the column's own collation: lookups by
     * its value need no scan.
     */
    public static boolean hasIndexLeadingWith(Connection c, String schema, String table, String column)
            throws SQLException {
        String sql = """
                SELECT 1 FROM pg_index i
                JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                JOIN pg_class x ON x.oid = i.indexrelid
                JOIN pg_am am ON am.oid = x.relam
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
                WHERE n.nspname = ? AND t.relname = ? AND a.attname = ? AND i.indpred IS NULL AND i.indisvalid
                  AND am.amname IN ('btree', 'hash') AND i.indcollation[0] = a.attcollation""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The table's primary key when it is a single column. */
    public static Optional<String> singleColumnPrimaryKey(Connection c, String schema, String table) throws SQLException {
        String sql = """
                SELECT a.attname FROM pg_index i
                JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
                WHERE n.nspname = ? AND t.relname = ? AND i.indisprimary AND i.indnkeyatts = 1""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
