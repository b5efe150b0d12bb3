package dev.dromedary.source;

import dev.dromedary.sql.TableColumns;

/**
 * What a table source needs to know of its table, read at start-up: the schema it lives in, the SQL types of
 * its columns (for casts of bound values), the column pages are tied on, and the role of the source.
 */
public record TableShape(String schema, TableColumns columns, String tiebreakColumn, boolean primary,
                         boolean timeCursor) {

    public String type(String column) {
        return columns.column(column).orElseThrow(() -> new IllegalArgumentException("no column " + column)).sqlType();
    }

    /** Timestamp and date cursors take their upper bound from the database clock and allow a look-back. */
    public static boolean isTimeType(String sqlType) {
        return sqlType.startsWith("timestamp") || sqlType.equals("date");
    }
}
