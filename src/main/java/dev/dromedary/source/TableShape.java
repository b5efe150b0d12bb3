package dev.dromedary.source;

import dev.dromedary.sql.TableColumns;

/**
 * What a table source needs to know of its table, read at start-up: the schema it lives in, the SQL types of
 * its columns (for casts of bound values), the column pages are tied on, the role of the source, and whether an
 * index leads with the mapping column (aggregates then look each key up instead of joining the batch).
 */
public record TableShape(String schema, TableColumns columns, String tiebreakColumn, boolean primary,
                         boolean timeCursor, boolean mappingIndexed) {

    public String type(String column) {
        return columns.column(column).orElseThrow(() -> new IllegalArgumentException("no column " + column)).sqlType();
    }

    /** Timestamp and date cursors take their upper bound from the database clock and allow a look-back. */
    public static boolean isTimeType(String sqlType) {
        return sqlType.startsWith("timestamp") || sqlType.equals("date");
    }
}
