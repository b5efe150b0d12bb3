package dev.dromedary.config;

import dev.dromedary.app.AppConfig;
import dev.dromedary.destination.DestinationDefinition;
import dev.dromedary.source.Filter;
import dev.dromedary.source.FilterOp;
import dev.dromedary.source.PropertyDefinition;
import dev.dromedary.source.TableShape;
import dev.dromedary.source.SourceDefinition;
import dev.dromedary.sql.TableColumns;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** Checks at start-up that every configured table and column exists, so a typo fails now, not mid-run. */
public final class SchemaChecker {
    private final ConfigProblems problems;
    private final Map<String, TableColumns> tables = new HashMap<>();

    public SchemaChecker(ConfigProblems problems) {
        this.problems = problems;
    }

    /** The table's columns, as found (null when it is missing; the problem is recorded). */
    public TableColumns table(String file, String element, AppConfig app, DataSource ds, String table) {
        String key = app.name() + "/" + table;
        if (tables.containsKey(key)) {
            return tables.get(key);
        }
        try (Connection c = ds.getConnection()) {
            Optional<TableColumns> t = TableColumns.read(c, app.schema(), table);
            if (t.isEmpty()) {
                problems.add(file, element.endsWith(".groupsTable") ? element : element + ".table", "table '"
                        + table + "' does not exist in schema '"
                        + app.schema() + "' of App '" + app.name() + "'");
            }
            tables.put(key, t.orElse(null));
            return t.orElse(null);
        } catch (SQLException e) {
            problems.add(file, element, "cannot read the columns of table '" + table + "': " + e.getMessage());
            return null;
        }
    }

    public TableColumns.Column column(String file, String element, TableColumns t, String column) {
        if (t == null || column == null) {
            return null;
        }
        var c = t.column(column);
        if (c.isEmpty()) {
            problems.add(file, element, "column '" + column + "' does not exist in table '" + t.table()
                    + "'; columns: " + t.columns().keySet());
            return null;
        }
        return c.get();
    }

    /**
     * Checks a table source's columns and works out how it pages: on the table's single-column primary key when
     * there is one, else (primary sources only) on the mapping column.
     * @return the source's table shape, or null when something is missing (recorded)
     */
    public TableShape checkSource(String file, SourceDefinition s, TableColumns t, boolean primary, Connection c)
            throws SQLException {
        String el = "source '" + s.id() + "'";
        int before = problems.all().size();
        column(file, el + ".mapping.column", t, s.mapping().column());
        for (PropertyDefinition p : s.properties()) {
            var col = column(file, el + ".properties." + p.name() + ".column", t, p.column());
            column(file, el + ".properties." + p.name() + ".sortColumn", t, p.sortColumn());
            filterColumns(file, el + ".properties." + p.name(), t, p.filters(), c);
            if (col != null) {
                aggregationFits(file, el + ".properties." + p.name() + ".aggregation", t, p, col, c);
            }
        }
        var sc = s.schedule();
        boolean timeCursor = false;
        if (sc != null) {
            filterColumns(file, el + ".schedule", t, sc.filters(), c);
            if (sc.incremental()) {
                var col = column(file, el + ".schedule.column", t, sc.column());
                if (col != null && col.nullable() && !sc.allowNullCursor()) {
                    problems.add(file, el + ".schedule.column", "cursor column '" + sc.column() + "' of table '"
                            + s.table() + "' is nullable; rows with null there are never picked up incrementally. "
                            + "Make it NOT NULL, or set allowNullCursor: true to accept that");
                }
                timeCursor = col != null && TableShape.isTimeType(col.sqlType());
                if (col != null && sc.lookback() != null && !timeCursor) {
                    problems.add(file, el + ".schedule.lookback", "a look-back needs a timestamp or date cursor column; '"
                            + sc.column() + "' is " + col.sqlType());
                }
            }
        }
        if (t == null || problems.all().size() > before) {
            return null;
        }
        String tiebreak = TableColumns.singleColumnPrimaryKey(c, t.schema(), t.table()).orElse(null);
        if (tiebreak == null) {
            if (!primary && sc != null && sc.incremental()) {
                problems.add(file, el + ".table", "table '" + s.table() + "' has no single-column primary key; an "
                        + "incremental secondary source pages on (cursor column, primary key) so no row is skipped");
                return null;
            }
            tiebreak = s.mapping().column();
        }
        for (String keyColumn : new java.util.LinkedHashSet<>(List.of(tiebreak, s.mapping().column()))) {
            if (t.column(keyColumn).map(TableColumns.Column::nullable).orElse(false)) {
                org.slf4j.LoggerFactory.getLogger(SchemaChecker.class).warn("{}: source '{}': column '{}' of table '{}' "
                        + "is nullable; rows with null there make no record and are skipped. Make it NOT NULL (or the "
                        + "primary key) to be sure nothing is left out", file, s.id(), keyColumn, s.table());
            }
        }
        return new TableShape(t.schema(), t, tiebreak, primary, timeCursor,
                TableColumns.hasIndexLeadingWith(c, t.schema(), t.table(), s.mapping().column()));
    }

    /** PostgreSQL itself says whether sum, average, min or max applies to the column's type. */
    private void aggregationFits(String file, String element, TableColumns t, PropertyDefinition p,
                                 TableColumns.Column col, Connection c) {
        String fn = switch (p.aggregation()) {
            case SUM -> "sum";
            case AVERAGE -> "avg";
            case MIN -> "min";
            case MAX -> "max";
            default -> null;
        };
        if (fn == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT " + fn + "(t." + dev.dromedary.sql.Identifiers.quote(
                p.column()) + ") FROM " + dev.dromedary.sql.Identifiers.qualified(t.schema(), t.table()) + " t WHERE FALSE")) {
            ps.execute();
        } catch (SQLException e) {
            problems.add(file, element, "aggregation " + dev.dromedary.config.Enums.configName(p.aggregation())
                    + " does not apply to column '" + p.column() + "' (" + col.sqlType() + ")");
        }
    }

    /** Filter columns exist and filter values are valid for their column's type (checked by PostgreSQL). */
    private void filterColumns(String file, String element, TableColumns t, List<Filter> filters, Connection c)
            throws SQLException {
        for (int i = 0; i < filters.size(); i++) {
            Filter f = filters.get(i);
            var col = column(file, element + ".filters[" + i + "].column", t, f.column());
            if (col == null || !f.op().takesValue() || f.op() == FilterOp.SUBSTRING || f.op() == FilterOp.NOT_SUBSTRING) {
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT CAST(? AS " + col.sqlType() + ")")) {
                ps.setString(1, f.value());
                ps.execute();
            } catch (SQLException e) {
                problems.add(file, element + ".filters[" + i + "].value", "'" + f.value() + "' is not a valid "
                        + col.sqlType() + " for column '" + f.column() + "'");
            }
        }
    }

    /**
     * The groups table, its foreign-key and name columns.
     * @return the foreign-key column's SQL type, or null (no groups table, or a problem recorded)
     */
    public String checkGroupsTable(String file, DestinationDefinition d, AppConfig app, DataSource ds) {
        if (d.groupsTable() == null) {
            return null;
        }
        String el = "destination '" + d.id() + "'";
        TableColumns g = table(file, el + ".groupsTable", app, ds, d.groupsTable());
        var fk = column(file, el + ".groupForeignKey", g, d.groupForeignKey());
        column(file, el + ".groupColumnName", g, d.groupColumnName());
        return fk == null ? null : fk.sqlType();
    }

    public void checkDestination(String file, DestinationDefinition d, TableColumns t, Connection c)
            throws SQLException {
        String el = "destination '" + d.id() + "'";
        for (String column : d.mappings().keySet()) {
            column(file, el + ".mappings." + column, t, column);
        }
        if (t != null && t.column(d.primaryKey()).isPresent()
                && !TableColumns.hasUniqueIndexOn(c, t.schema(), t.table(), d.primaryKey())) {
            problems.add(file, el + ".primaryKey", "column '" + d.primaryKey() + "' of table '" + d.table()
                    + "' is not unique (no unique index or primary key on it alone, or only a DEFERRABLE one); add one, e.g. "
                    + "ALTER TABLE ... ADD PRIMARY KEY (" + d.primaryKey() + ")");
        }
        if (t == null) {
            return;
        }
        if (TableColumns.hasRules(c, t.schema(), t.table())) {
            problems.add(file, el + ".table", "table '" + d.table() + "' has rules: exports write with INSERT ... ON "
                    + "CONFLICT, which PostgreSQL refuses on a table with INSERT or UPDATE rules, and with COPY, "
                    + "which ignores rules; do the rules' work in a trigger instead");
        }
        java.util.Set<String> generated = TableColumns.generatedAlways(c, t.schema(), t.table());
        for (String column : d.mappings().keySet()) {
            if (generated.contains(column)) {
                problems.add(file, el + ".mappings." + column, "column '" + column + "' of table '" + d.table()
                        + "' is GENERATED ALWAYS, so it takes no value from an export; map the property to another "
                        + "column, or make it GENERATED BY DEFAULT");
            }
        }
    }
}
