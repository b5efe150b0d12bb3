package dev.dromedary.source;

import dev.dromedary.record.ValueConverter;
import dev.dromedary.sql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Reads a primary table source one keyset page at a time: rows past (cursor column, key) in that order, so rows
 * sharing a cursor value at a page boundary are neither skipped nor read twice, and each page costs an index
 * range scan whatever the table's size. A full schedule pages on the key alone.
 */
public final class TablePageReader {
    private final SourceDefinition source;
    private final DataSource dataSource;
    private final String firstPageSql;
    private final String nextPageSql;
    private final boolean incremental;

    /**
     * @param keyType    SQL type of the mapping column
     * @param cursorType SQL type of the cursor column (incremental schedules), for the casts that compare the
     *                   cursor's stored text form with the column
     */
    public TablePageReader(SourceDefinition source, String schema, DataSource dataSource, String keyType,
                           String cursorType) {
        this.source = source;
        this.dataSource = dataSource;
        this.incremental = source.schedule().incremental();
        // Qualified with the table alias: a bare name in ORDER BY would sort by the ::text output column instead.
        String key = "t." + Identifiers.quote(source.mapping().column());
        StringBuilder select = new StringBuilder("SELECT ").append(key).append("::text");
        if (incremental) {
            select.append(", t.").append(Identifiers.quote(source.schedule().column())).append("::text");
        }
        for (PropertyDefinition p : source.properties()) {
            select.append(", t.").append(Identifiers.quote(p.column())).append("::text");
        }
        select.append(" FROM ").append(Identifiers.qualified(schema, source.table())).append(" t");
        if (incremental) {
            String col = "t." + Identifiers.quote(source.schedule().column());
            // Rows whose cursor column is null are never picked up incrementally (documented).
            String base = select + " WHERE " + col + " IS NOT NULL";
            String order = " ORDER BY " + col + ", " + key + " LIMIT ?";
            this.firstPageSql = base + order;
            this.nextPageSql = base + " AND (" + col + ", " + key + ") > (CAST(? AS " + cursorType + "), CAST(? AS "
                    + keyType + "))" + order;
        } else {
            String order = " ORDER BY " + key + " LIMIT ?";
            this.firstPageSql = select + order;
            this.nextPageSql = select + " WHERE " + key + " > CAST(? AS " + keyType + ")" + order;
        }
    }

    /** The SQL of the page query, its bind parameters being the cursor and the page size. */
    public String sql() {
        return nextPageSql;
    }

    public SourcePage read(Cursor after) throws SQLException {
        int pageSize = source.schedule().pageSize();
        List<SourcePage.Row> rows = new ArrayList<>(pageSize);
        int rejected = 0;
        int read = 0;
        String lastValue = after.value();
        String lastKey = after.key();
        int props = source.properties().size();
        int first = incremental ? 3 : 2;
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = prepare(c, after, pageSize)) {
                ps.setFetchSize(pageSize);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        String key = rs.getString(1);
                        if (incremental) {
                            lastValue = rs.getString(2);
                        }
                        lastKey = key;
                        if (key == null) {
                            rejected++;
                            continue;
                        }
                        String[] values = new String[props];
                        String[] invalid = null;
                        for (int i = 0; i < props; i++) {
                            PropertyDefinition p = source.properties().get(i);
                            ValueConverter.Converted v = ValueConverter.convert(p.type(), rs.getString(first + i));
                            values[i] = v.value();
                            if (v.invalidReason() != null) {
                                if (invalid == null) {
                                    invalid = new String[props];
                                }
                                invalid[i] = v.invalidReason();
                            }
                        }
                        rows.add(new SourcePage.Row(key, values, invalid));
                    }
                }
            } finally {
                c.setReadOnly(false);
            }
        }
        return new SourcePage(rows, read, rejected, lastValue, lastKey, read == pageSize);
    }

    private PreparedStatement prepare(Connection c, Cursor after, int pageSize) throws SQLException {
        boolean first = incremental ? after.isStart() : after.key() == null;
        PreparedStatement ps = c.prepareStatement(first ? firstPageSql : nextPageSql);
        int i = 1;
        if (!first) {
            if (incremental) {
                ps.setString(i++, after.value());
            }
            ps.setString(i++, after.key());
        }
        ps.setInt(i, pageSize);
        return ps;
    }
}
