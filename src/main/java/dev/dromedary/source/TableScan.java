package dev.dromedary.source;

import dev.dromedary.sql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the rows a run must look at, one keyset page at a time. Incremental schedules page on (cursor column,
 * tie-break column) past the stored cursor, up to the database clock; full schedules page on the tie-break
 * column. Schedule filters limit the rows scanned. The page's direct values (exact, unfiltered properties of a
 * primary source) come with it; everything else is aggregated afterwards over the page's keys.
 */
public final class TableScan {
    private final SourceDefinition source;
    private final TableShape shape;
    private final List<PropertyDefinition> direct;
    private final SqlFilters filters;
    private final String select;
    private final String order;
    private final String cursorCol;
    private final String tiebreak;

    /** A scanned page: its rows' keys and direct values, where the cursor stands after it, and whether more follow. */
    public record ScannedPage(List<String> keys, List<String[]> directValues, int rowsRead, int nullKeys,
                              Cursor last, boolean more) {
    }

    public TableScan(SourceDefinition source, TableShape shape, List<PropertyDefinition> direct) {
        this.source = source;
        this.shape = shape;
        this.direct = direct;
        this.filters = SqlFilters.of(source.schedule().filters(), shape::type);
        this.tiebreak = "t." + Identifiers.quote(shape.tiebreakColumn());
        this.cursorCol = source.schedule().incremental() ? "t." + Identifiers.quote(source.schedule().column()) : null;
        // Columns are qualified with the alias: a bare name in ORDER BY would sort by the ::text output column.
        StringBuilder b = new StringBuilder("SELECT t.").append(Identifiers.quote(source.mapping().column())).append("::text, ")
                .append(tiebreak).append("::text");
        b.append(", ").append(cursorCol == null ? "NULL" : cursorCol + "::text");
        for (PropertyDefinition p : direct) {
            b.append(", t.").append(Identifiers.quote(p.column())).append("::text");
        }
        // A row without a key makes no record, and a null in the tie-break column would stop the keyset walk.
        b.append(" FROM ").append(Identifiers.qualified(shape.schema(), source.table())).append(" t WHERE ")
                .append(tiebreak).append(" IS NOT NULL AND t.").append(Identifiers.quote(source.mapping().column()))
                .append(" IS NOT NULL AND ").append(filters.sql());
        this.select = b.toString();
        this.order = cursorCol == null ? " ORDER BY " + tiebreak + " LIMIT ?" : " ORDER BY " + cursorCol + ", " + tiebreak + " LIMIT ?";
    }

    /** Where an incremental run starts: the stored cursor, moved back by the look-back window if one is set. */
    public Cursor startOf(Connection c, Cursor stored) throws SQLException {
        Duration lookback = source.schedule().lookback();
        if (lookback == null || stored.isStart()) {
            return stored;
        }
        String type = shape.type(source.schedule().column());
        try (PreparedStatement ps = c.prepareStatement("SELECT (CAST(? AS " + type + ") - CAST(? AS interval))::"
                + type + "::text")) {
            ps.setString(1, stored.value());
            ps.setString(2, lookback.toMillis() + " milliseconds");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Cursor(rs.getString(1), null);
            }
        }
    }

    /** The database clock as a value of the cursor column: rows stamped later wait for a later run. */
    public String upperBound(Connection c) throws SQLException {
        if (cursorCol == null || !shape.timeCursor()) {
            return null;
        }
        String type = shape.type(source.schedule().column());
        try (PreparedStatement ps = c.prepareStatement("SELECT CAST(now() AS " + type + ")::text");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The last row in cursor order, up to the clock: where a run that reads everything leaves the cursor. */
    public Cursor highest(Connection c, String upper) throws SQLException {
        List<String> params = new ArrayList<>();
        String sql = select.replaceFirst("^SELECT .*? FROM ", java.util.regex.Matcher.quoteReplacement(
                "SELECT " + cursorCol + "::text, " + tiebreak + "::text FROM "))
                + conditions(Cursor.START, upper, params) + " ORDER BY " + cursorCol + " DESC, " + tiebreak + " DESC LIMIT 1";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (String p : filters.parameters()) {
                ps.setString(i++, p);
            }
            for (String p : params) {
                ps.setString(i++, p);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Cursor(rs.getString(1), rs.getString(2)) : Cursor.START;
            }
        }
    }

    /** The planner's estimate of the rows this run will scan (cheap, from the table's statistics). */
    public long estimateRows(Connection c, Cursor from, String upper) throws SQLException {
        List<String> params = new ArrayList<>();
        String sql = "EXPLAIN SELECT 1 FROM " + Identifiers.qualified(shape.schema(), source.table()) + " t WHERE "
                + filters.sql() + conditions(from, upper, params);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (String p : filters.parameters()) {
                ps.setString(i++, p);
            }
            for (String p : params) {
                ps.setString(i++, p);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("rows=(\\d+)").matcher(rs.getString(1));
                    if (m.find()) {
                        return Long.parseLong(m.group(1));
                    }
                }
            }
        }
        return -1;
    }

    private String conditions(Cursor from, String upper, List<String> params) {
        StringBuilder where = new StringBuilder();
        if (cursorCol != null) {
            String ctype = shape.type(source.schedule().column());
            where.append(" AND ").append(cursorCol).append(" IS NOT NULL");
            if (upper != null) {
                where.append(" AND ").append(cursorCol).append(" <= CAST(? AS ").append(ctype).append(")");
                params.add(upper);
            }
            if (from.value() != null && from.key() == null) {
                where.append(" AND ").append(cursorCol).append(" >= CAST(? AS ").append(ctype).append(")");
                params.add(from.value());
            } else if (!from.isStart()) {
                where.append(" AND (").append(cursorCol).append(", ").append(tiebreak).append(") > (CAST(? AS ")
                        .append(ctype).append("), CAST(? AS ").append(shape.type(shape.tiebreakColumn())).append("))");
                params.add(from.value());
                params.add(from.key());
            }
        } else if (from.key() != null) {
            where.append(" AND ").append(tiebreak).append(" > CAST(? AS ").append(shape.type(shape.tiebreakColumn()))
                    .append(")");
            params.add(from.key());
        }
        return where.toString();
    }

    public ScannedPage read(Connection c, Cursor after, String upper) throws SQLException {
        int pageSize = source.schedule().pageSize();
        List<String> params = new ArrayList<>();
        String sql = select + conditions(after, upper, params) + order;
        List<String> keys = new ArrayList<>(pageSize);
        List<String[]> values = new ArrayList<>(direct.isEmpty() ? 0 : pageSize);
        int read = 0;
        int nullKeys = 0;
        Cursor last = after;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (String p : filters.parameters()) {
                ps.setString(i++, p);
            }
            for (String p : params) {
                ps.setString(i++, p);
            }
            ps.setInt(i, pageSize);
            ps.setFetchSize(pageSize);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    read++;
                    last = new Cursor(cursorCol == null ? null : rs.getString(3), rs.getString(2));
                    String key = rs.getString(1);
                    if (key == null) {
                        nullKeys++;
                        continue;
                    }
                    keys.add(key);
                    if (!direct.isEmpty()) {
                        String[] v = new String[direct.size()];
                        for (int j = 0; j < v.length; j++) {
                            v[j] = rs.getString(4 + j);
                        }
                        values.add(v);
                    }
                }
            }
        }
        return new ScannedPage(keys, values, read, nullKeys, last, read == pageSize);
    }
}
