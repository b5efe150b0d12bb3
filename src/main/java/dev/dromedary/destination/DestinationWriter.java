package dev.dromedary.destination;

import dev.dromedary.sql.Copy;
import dev.dromedary.sql.CopyText;
import dev.dromedary.sql.Identifiers;
import dev.dromedary.sql.TableColumns;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.util.PSQLState;

/**
 * Writes operation batches into the destination table, set-based: COPY into a session staging table shaped like
 * the destination's mapped columns, then one INSERT ... ON CONFLICT (key) DO UPDATE that skips rows already holding
 * the values, so a replayed batch changes nothing. It reaches existing rows through the key's unique index (the
 * start-up check demands one, not deferrable), one probe per staged row, whatever the table's size or statistics.
 * Rows of records never sent to the destination go in by a plain COPY into the table instead, when it takes one
 * ({@link #copyNew}). Enrich mode, which must not insert, uses UPDATE ... FROM instead.
 */
public final class DestinationWriter {
    private final DataSource dataSource;
    private final String stage;
    private final String createStage;
    private final String updateSql;
    private final String upsertSql;
    private final String copyNewSql;
    private final String deleteSql;
    private final String missingSql;
    private final String groupsDeleteSql;
    private final String groupsInsertSql;
    private final String groupsInsertWrittenSql;
    private final boolean upsertLocksRows;
    private final int pkIndex;
    private final List<String> tables;
    private final String schema;
    private final String table;
    private final String primaryKey;

    /** @param groupKeyType SQL type of the groups table's foreign-key column (null without a groups table) */
    public DestinationWriter(DestinationDefinition destination, String schema, DataSource dataSource,
                             List<String> columns, String pkType, String groupKeyType) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.table = destination.table();
        this.primaryKey = destination.primaryKey();
        // One staging table per destination and session; the id's own characters keep names apart.
        String name = "dromedary_out_" + destination.id();
        this.stage = Identifiers.quote(Identifiers.problem(name) == null ? name
                : "dromedary_out_" + Integer.toHexString(destination.id().hashCode()));
        String target = Identifiers.qualified(schema, destination.table());
        this.tables = destination.groupsTable() == null ? List.of(target)
                : List.of(target, Identifiers.qualified(schema, destination.groupsTable()));
        String pk = Identifiers.quote(destination.primaryKey());
        List<String> quoted = columns.stream().map(Identifiers::quote).toList();
        String cols = String.join(", ", quoted);
        this.createStage = "CREATE TEMP TABLE IF NOT EXISTS " + stage + " ON COMMIT DELETE ROWS AS SELECT " + cols
                + " FROM " + target + " WITH NO DATA";
        List<String> others = quoted.stream().filter(c -> !c.equals(pk)).toList();
        if (others.isEmpty()) {
            this.updateSql = null;
        } else {
            String set = String.join(", ", others.stream().map(c -> c + " = s." + c).toList());
            String mine = String.join(", ", others.stream().map(c -> "d." + c).toList());
            String theirs = String.join(", ", others.stream().map(c -> "s." + c).toList());
            this.updateSql = "UPDATE " + target + " d SET " + set + " FROM pg_temp." + stage + " s WHERE d." + pk
                    + " = s." + pk + " AND ROW(" + mine + ") IS DISTINCT FROM ROW(" + theirs + ")";
        }
        this.pkIndex = columns.indexOf(destination.primaryKey());
        this.deleteSql = "DELETE FROM " + target + " d WHERE d." + pk + " = ANY(CAST(? AS text[])::"
                + pkType + "[])";
        String absent = " s WHERE NOT EXISTS (SELECT 1 FROM " + target + " d WHERE d." + pk + " = s." + pk + ")";
        String onConflict = others.isEmpty() ? "DO NOTHING" : "DO UPDATE SET "
                + String.join(", ", others.stream().map(c -> c + " = excluded." + c).toList())
                + " WHERE ROW(" + String.join(", ", others.stream().map(c -> "d." + c).toList())
                + ") IS DISTINCT FROM ROW(" + String.join(", ", others.stream().map(c -> "excluded." + c).toList()) + ")";
        // xmax = 0 on the returned row: it was inserted; otherwise an existing row was updated.
        this.upsertSql = "WITH w AS (INSERT INTO " + target + " AS d (" + cols + ") SELECT " + cols + " FROM pg_temp."
                + stage + " ON CONFLICT (" + pk + ") " + onConflict + " RETURNING (d.xmax = 0) AS inserted) "
                + "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM w";
        this.copyNewSql = "COPY " + target + " (" + cols + ") FROM STDIN";
        this.missingSql = "SELECT s." + pk + "::text FROM pg_temp." + stage + absent;
        if (destination.groupsTable() == null) {
            this.groupsDeleteSql = null;
            this.groupsInsertSql = null;
            this.groupsInsertWrittenSql = null;
        } else {
            String groups = Identifiers.qualified(schema, destination.groupsTable());
            String fk = Identifiers.quote(destination.groupForeignKey());
            String nameColumn = Identifiers.quote(destination.groupColumnName());
            // The keys as a sub-select: the planner then sees an array of unknown length and probes the key's
            // index. Given the 10,000 bound keys it estimated a tenth of a small table and scanned all of it, once
            // per batch: a cost that grew with the groups table (measured: 129 ms of 10,000 keys at 650,000 rows).
            this.groupsDeleteSql = "DELETE FROM " + groups + " WHERE " + fk + " = ANY(ARRAY(SELECT unnest(CAST(? AS "
                    + "text[])::" + groupKeyType + "[])))";
            this.groupsInsertWrittenSql = "INSERT INTO " + groups + " (" + fk + ", " + nameColumn + ") SELECT "
                    + "CAST(u.k AS " + groupKeyType + "), u.n "
                    + "FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS u(k, n)";
            // OFFSET 0 keeps the EXISTS a per-row probe of the key's index: as a join it could be planned as a scan
            // of the whole destination table.
            this.groupsInsertSql = groupsInsertWrittenSql + " WHERE EXISTS (SELECT 1 FROM " + target + " d WHERE d."
                    + pk + " = CAST(u.k AS " + pkType + ") OFFSET 0)";
        }
        // The upsert's DO UPDATE locks every row it meets, changed or not, until the batch commits; DO NOTHING
        // does not, so a row could be deleted meanwhile.
        this.upsertLocksRows = !others.isEmpty();
    }

    /** The statement that inserts a batch's group rows; package-private for tests. */
    String groupsInsertSql(boolean upserted) {
        return upserted && upsertLocksRows ? groupsInsertWrittenSql : groupsInsertSql;
    }

    /** The statement that removes a batch's group rows, for tests that check how PostgreSQL plans it. */
    String groupsDeleteSql() {
        return groupsDeleteSql;
    }

    /** Deletes the rows with the given keys (the destination key values last exported). */
    public long delete(Connection c, List<PlannedChange> changes) throws SQLException {
        String[] keys = changes.stream().map(ch -> ch.values()[pkIndex]).toArray(String[]::new);
        try (java.sql.PreparedStatement ps = c.prepareStatement(deleteSql)) {
            ps.setArray(1, c.createArrayOf("text", keys));
            return ps.executeUpdate();
        }
    }

    /**
     * Makes each change's rows in the groups table equal its groups: the rows of these keys are replaced, rows of
     * other records are never touched. Only keys whose row exists get group rows.
     * @param upserted whether {@link #upsert} or {@link #copyNew} wrote these rows in this transaction: then, when
     *                 the upsert locks the rows it meets, their group rows go in without looking each row up again
     *                 (measured: two thirds of the group rows' insert of 10,000 changed records were that lookup,
     *                 each reading the row's page). Rows COPY inserted are not yet visible to anyone else, so no
     *                 one can delete them before the commit either.
     */
    public void replaceGroups(Connection c, List<PlannedChange> changes, boolean upserted) throws SQLException {
        if (groupsDeleteSql == null || changes.isEmpty()) {
            return;
        }
        clearGroups(c, changes);
        List<String> keys = new java.util.ArrayList<>();
        List<String> names = new java.util.ArrayList<>();
        for (PlannedChange ch : changes) {
            for (String g : ch.groups()) {
                keys.add(ch.values()[pkIndex]);
                names.add(g);
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement(groupsInsertSql(upserted))) {
            ps.setArray(1, c.createArrayOf("text", keys.toArray()));
            ps.setArray(2, c.createArrayOf("text", names.toArray()));
            ps.executeUpdate();
        }
    }

    /** Removes every group row of these keys. */
    public void clearGroups(Connection c, List<PlannedChange> changes) throws SQLException {
        if (groupsDeleteSql == null) {
            return;
        }
        String[] keys = changes.stream().map(ch -> ch.values()[pkIndex]).toArray(String[]::new);
        try (java.sql.PreparedStatement ps = c.prepareStatement(groupsDeleteSql)) {
            ps.setArray(1, c.createArrayOf("text", keys));
            ps.executeUpdate();
        }
    }

    /**
     * After a run wrote {@code written} rows: ANALYZE the destination table (and groups table) when it has no
     * statistics yet or the run changed at least a tenth of it, as autovacuum would. Without statistics a batch's
     * {@code key = ANY(keys)} is planned as a scan of the whole table. A store user that does not own the table
     * only gets PostgreSQL's warning that it was skipped.
     */
    public void analyzeAfter(long written) {
        if (written <= 0) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            for (String table : tables) {
                long rows;
                try (java.sql.PreparedStatement ps = c.prepareStatement(
                        "SELECT coalesce(max(reltuples), 0)::bigint FROM pg_class WHERE oid = to_regclass(?)")) {
                    ps.setString(1, table);
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        rows = rs.getLong(1);
                    }
                }
                if (rows < 0 || written >= Math.max(10_000, rows / 10)) {
                    try (Statement st = c.createStatement()) {
                        st.execute("ANALYZE " + table);
                    }
                }
            }
        } catch (SQLException e) {
            org.slf4j.LoggerFactory.getLogger(DestinationWriter.class).warn("ANALYZE of {} failed: {}", tables,
                    e.getMessage());
        }
    }

    /** Index of the destination's key among the mapped columns. */
    public int keyIndex() {
        return pkIndex;
    }

    /** Opens the batch's destination transaction. */
    public Connection begin() throws SQLException {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        return c;
    }

    /** Insert-or-update: rows that exist are updated where they differ, the others inserted. */
    public long[] upsert(Connection c, List<PlannedChange> changes) throws SQLException {
        stage(c, changes, false);
        try (Statement st = c.createStatement()) {
            long[] n = new long[2];
            try (java.sql.ResultSet rs = st.executeQuery(upsertSql)) {
                rs.next();
                n[0] = rs.getLong(1);
                n[1] = rs.getLong(2);
            }
            st.execute("TRUNCATE pg_temp." + stage);
            return n;
        }
    }

    /**
     * What {@link #copyNew} did: the rows it inserted, or, when it wrote nothing and the rows are to be upserted, why.
     */
    public record Copied(long rows, String refusal) {
    }

    /**
     * Inserts the rows of records this destination was never sent straight into the table by COPY: no staging table,
     * no conflict check (measured: 17-19 ms against 30 ms for 5,000 rows through the staging table and the upsert).
     * Under its own savepoint, rolled back when the key's unique index already holds one of the keys (rows loaded
     * before the first sync, a crash between the destination's commit and the store's, a resync). A view, or a table
     * whose row-level security applies to the writer, takes no COPY: its rows are always upserted. Any other
     * refusal (a value the table refuses, a clash on another unique index) is thrown, as the upsert would have
     * thrown it, for the batch to be split.
     */
    public Copied copyNew(Connection c, List<PlannedChange> changes) throws SQLException {
        if (!takesCopy(c)) {
            return new Copied(0, noCopy);
        }
        java.sql.Savepoint savepoint = c.setSavepoint();
        try {
            long copied = Copy.in(c, copyNewSql, rows(changes));
            c.releaseSavepoint(savepoint);
            return new Copied(copied, null);
        } catch (SQLException e) {
            // 0A000, feature_not_supported: COPY into a table whose row-level security applies to the writer.
            boolean refused = PSQLState.NOT_IMPLEMENTED.getState().equals(e.getSQLState());
            if (!refused && !(PSQLState.UNIQUE_VIOLATION.getState().equals(e.getSQLState())
                    && keyIndexes.contains(constraint(e)))) {
                throw e;
            }
            c.rollback(savepoint);
            String reason = dev.dromedary.run.Errors.describe(e);
            if (refused) {
                this.noCopy = reason;
            }
            return new Copied(0, reason);
        }
    }

    private volatile boolean copyChecked;
    /** Why rows never go in by COPY (null when they may): see {@link #takesCopy}. */
    private volatile String noCopy;
    /** The unique indexes on the key alone: a clash on one of them means the row is there already. */
    private volatile java.util.Set<String> keyIndexes;

    /**
     * Whether rows of records never sent may go in by {@link #copyNew}: not into a view, nor into a table whose
     * row-level security applies to the writer (PostgreSQL refuses COPY there). Read once, on the first batch.
     */
    public boolean takesCopy(Connection c) throws SQLException {
        if (!copyChecked) {
            try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT t.relkind IN ('r', 'p'), "
                    + "row_security_active(t.oid) FROM pg_class t WHERE t.oid = to_regclass(?)")) {
                ps.setString(1, tables.get(0));
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    noCopy = !rs.next() || !rs.getBoolean(1) ? "not a table"
                            : rs.getBoolean(2) ? "row-level security applies to the writer" : null;
                }
            }
            keyIndexes = TableColumns.uniqueIndexesOn(c, schema, table, primaryKey);
            copyChecked = true;
            if (noCopy != null) {
                LOG.info("{}: rows of records never sent to it go in by the upsert, not by COPY ({})", tables.get(0),
                        noCopy);
            }
        }
        return noCopy == null;
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DestinationWriter.class);

    private static String constraint(SQLException e) {
        return e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getConstraint() : null;
    }

    /**
     * Update only (enrich mode): rows that exist are updated where they differ; nothing is inserted.
     * @param missing receives the destination keys that have no row
     * @return how many rows were updated
     */
    public long updateExisting(Connection c, List<PlannedChange> changes, java.util.Set<String> missing)
            throws SQLException {
        stage(c, changes, true);
        try (Statement st = c.createStatement()) {
            long updated = updateSql == null ? 0 : st.executeUpdate(updateSql);
            try (java.sql.ResultSet rs = st.executeQuery(missingSql)) {
                while (rs.next()) {
                    missing.add(rs.getString(1));
                }
            }
            st.execute("TRUNCATE pg_temp." + stage);
            return updated;
        }
    }

    /** The changes' column values as COPY text, in the mapping's order. */
    private static CopyText rows(List<PlannedChange> changes) {
        CopyText copy = new CopyText();
        for (PlannedChange change : changes) {
            for (String v : change.values()) {
                copy.field(v);
            }
            copy.endRow();
        }
        return copy;
    }

    /** @param analyze whether a join to the destination will read the staging table (enrich mode's UPDATE) */
    private void stage(Connection c, List<PlannedChange> changes, boolean analyze) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(createStage);
        }
        Copy.in(c, "COPY pg_temp." + stage + " FROM STDIN", rows(changes));
        if (analyze) {
            // A fresh temporary table has no statistics: without them the planner may join it to the destination
            // by scanning the whole destination, once per batch.
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE pg_temp." + stage);
            }
        }
    }
}
