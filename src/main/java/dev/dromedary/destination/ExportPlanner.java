package dev.dromedary.destination;

import dev.dromedary.run.ImportProgress;
import dev.dromedary.sql.Identifiers;
import dev.dromedary.sql.JsonbObject;
import dev.dromedary.sql.TextArray;
import dev.dromedary.record.ModelLock;
import dev.dromedary.record.RecordStore;
import dev.dromedary.sql.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.postgresql.util.PSQLState;

/**
 * Plans exports from the record store, change-only: it looks only at records whose seq moved since the
 * destination last looked, and compares a hash of their mapped values, and their group names, with what was last
 * exported.
 */
public final class ExportPlanner {
    private final RecordStore store;
    private final DestinationDefinition destination;
    private final String model;
    private final List<String> columns;
    private final int pkIndex;
    private final String pageSql;
    private final String configHash;

    private final dev.dromedary.record.AnalyzePacer pacer;

    public ExportPlanner(RecordStore store, DestinationDefinition destination, String model) {
        this.store = store;
        this.destination = destination;
        this.model = model;
        this.pacer = new dev.dromedary.record.AnalyzePacer(() -> store.analyzedRows("exports"));
        this.columns = List.copyOf(destination.mappings().keySet());
        this.pkIndex = columns.indexOf(destination.primaryKey());
        // Not in the hash: the groups table's two column names. Adding them would make every deployment with a groups
        // table re-compare all its records once after an upgrade (measured: 548 s at 10M records); a change of
        // either is followed by --resync instead (docs/configuration.md).
        this.configHash = Integer.toHexString((destination.table() + "|" + destination.primaryKey() + "|"
                + destination.mappings() + "|" + destination.trackedGroup() + "|" + destination.groupsTable() + "|"
                + destination.groups()).hashCode());
        StringBuilder values = new StringBuilder();
        List<String> legacyPairs = new ArrayList<>();
        for (String column : columns) {
            String property = Identifiers.literal(destination.mappings().get(column));
            values.append(", r.properties ->> ").append(property);
            legacyPairs.add(Identifiers.literal(column) + ", r.properties -> " + property);
        }
        String legacyMapped = JsonbObject.of(legacyPairs);
        // Per record: its values and groups, and what was last exported (the destination key, the values' hash and
        // the group names). Rows exported before the store kept hashes still hold their JSON: for those the SQL
        // says whether the values changed. The last export is looked up by the record's full key in its own lateral
        // (OFFSET 0): as a plain join, statistics that do not know this destination yet (estimated 1 row) planned
        // one scan of all its exports, filtered per record, and each batch took longer than the one before.
        // A record created above the batch's start was never sent to this destination (its cursor only passes a seq
        // once that batch's exports rows are committed): the lateral's condition on created_seq, evaluated before
        // the probe, leaves it out. In a first sync that is every record.
        this.pageSql = "SELECT r.seq, r.pk, r.deleted_at IS NOT NULL, r.groups, e.pk IS NOT NULL, e.exported_key, "
                + "e.values_hash, e.groups, e.legacy_changed" + values
                + " FROM " + store.table("records") + " r LEFT JOIN LATERAL (SELECT x.pk, coalesce(x.exported_key, "
                + "x.exported ->> " + Identifiers.literal(destination.primaryKey()) + ") AS exported_key, x.values_hash, "
                + "coalesce(x.groups, ARRAY(SELECT jsonb_array_elements_text(x.exported -> '$groups'))) AS groups, "
                + "CASE WHEN x.values_hash IS NULL THEN (x.exported - '$groups') IS DISTINCT FROM " + legacyMapped
                + " END AS legacy_changed FROM " + store.table("exports") + " x"
                + " WHERE coalesce(r.created_seq, 0) <= ? AND x.destination = ? AND x.pk = r.pk OFFSET 0) e ON TRUE"
                + " WHERE r.model = ? AND r.seq > ? AND r.seq <= ? ORDER BY r.seq LIMIT ?";
    }

    /** The page query, for tests that check how PostgreSQL plans it. */
    String pageSql() {
        return pageSql;
    }

    public List<String> columns() {
        return columns;
    }

    /** The seq the destination has exported up to; 0 when it never exported or its configuration changed since. */
    public long cursor() throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM " + store.table("export_cursors")
                     + " WHERE destination = ? AND config_hash = ?")) {
            ps.setString(1, destination.id());
            ps.setString(2, configHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * Starts a run: from the destination's cursor up to a seq below which every record change is committed.
     * @param following the import whose committed pages the run follows, or null
     * @param followedImport the run id of the import that the destination's previous export followed, or null:
     *                       records refused since that import started are not tried again so soon
     */
    public ExportRun begin(long runId, ImportProgress following, Long followedImport) throws SQLException {
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                long from = 0;
                try (PreparedStatement ps = c.prepareStatement("SELECT last_seq, config_hash FROM "
                        + store.table("export_cursors") + " WHERE destination = ?")) {
                    ps.setString(1, destination.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            if (configHash.equals(rs.getString(2))) {
                                from = rs.getLong(1);
                            } else {
                                // A changed table, key, mapping or group set: what was sent no longer says what
                                // the destination holds, so every record is sent again (unchanged rows are still
                                // left alone by the writes).
                                forget(c);
                            }
                        }
                    }
                }
                if (following != null) {
                    // It goes as far as the import has committed, and takes no lock on the model: an import's page
                    // holds that lock until it commits. Refused records come round again in the export after.
                    c.commit();
                    return new ExportRun(runId, from, following.committedSeq(), following);
                }
                // Writers hold this lock while they take seq numbers: once we have it, no lower seq is in flight.
                ModelLock.acquire(c, model);
                // Records this destination refused last time come round again in this run, but not those refused
                // since the start of the import that the destination's previous run followed: that run just tried.
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + store.table("records") + " r SET seq = "
                        + "nextval(" + store.sequenceLiteral() + ") FROM " + store.table("export_errors") + " x "
                        + "WHERE x.destination = ? AND r.model = ? AND r.pk = x.pk AND r.seq <= ? AND x.failed_at < "
                        + "coalesce((SELECT started_at FROM " + store.table("runs") + " WHERE id = ?), 'infinity')")) {
                    ps.setString(1, destination.id());
                    ps.setString(2, model);
                    ps.setLong(3, from);
                    ps.setObject(4, followedImport, java.sql.Types.BIGINT);
                    ps.executeUpdate();
                }
                long upper = ModelLock.maxSeq(c, store, model);
                c.commit();
                return new ExportRun(runId, from, upper, following);
            } catch (SQLException | RuntimeException e) {
                Transactions.rollback(c, e);
                throw e;
            }
        }
    }

    private void forget(Connection c) throws SQLException {
        for (String table : new String[] {"exports", "export_errors"}) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + store.table(table) + " WHERE destination = ?")) {
                ps.setString(1, destination.id());
                ps.executeUpdate();
            }
        }
    }

    /**
     * One batch's plan: its changes grouped by operation (none when the run has nothing left), in the order they are
     * written: deletes first, so a row whose key changed is moved, not duplicated; then inserts, updates, groups.
     * Also the records it left alone or set aside, where it ends and whether records follow, and the keys of every
     * record it read.
     */
    public record BatchPlan(List<OperationBatch> batches, long lastSeq, boolean hasMore, long skipped, long refused,
                            Map<String, String> failures, java.util.Set<String> recordKeys) {

        /** Whether this plan read one of {@code keys}. */
        public boolean readAnyOf(java.util.Set<String> keys) {
            return recordKeys.stream().anyMatch(keys::contains);
        }
    }

    /** Takes a batch's plan into the run: its counts and failures, and where the batch ends. */
    public List<OperationBatch> apply(ExportRun run, BatchPlan plan) {
        run.batchLastSeq = plan.lastSeq();
        run.hasMore = plan.hasMore();
        run.counts.skipped += plan.skipped();
        run.counts.refused += plan.refused();
        run.failures.putAll(plan.failures());
        return plan.batches();
    }

    /**
     * Plans the batch of records after {@code fromSeq} up to {@code upperSeq}. It reads only the store, so the next
     * batch can be planned while this one is written.
     */
    public BatchPlan plan(long fromSeq, long upperSeq) throws SQLException {
        Map<String, PlannedChange> deletes = new LinkedHashMap<>();
        Map<String, PlannedChange> clears = new LinkedHashMap<>();
        Map<String, PlannedChange> inserts = new LinkedHashMap<>();
        Map<String, PlannedChange> updates = new LinkedHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        long skipped = 0;
        long refused = 0;
        long lastSeq = fromSeq;
        java.util.Set<String> recordKeys = new java.util.HashSet<>();
        int rows = 0;
        int width = columns.size();
        boolean groupsTable = destination.groupsTable() != null;
        ValuesHash hasher = new ValuesHash();
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(pageSql)) {
            ps.setLong(1, fromSeq);
            ps.setString(2, destination.id());
            ps.setString(3, model);
            ps.setLong(4, fromSeq);
            ps.setLong(5, upperSeq);
            ps.setInt(6, destination.batchSize());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    lastSeq = rs.getLong(1);
                    String recordKey = rs.getString(2);
                    recordKeys.add(recordKey);
                    List<String> recordGroups = List.of((String[]) rs.getArray(4).getArray());
                    RecordChange.LastExport last = null;
                    if (rs.getBoolean(5)) {
                        java.sql.Array oldGroups = rs.getArray(8);
                        last = new RecordChange.LastExport(rs.getString(6), (UUID) rs.getObject(7),
                                oldGroups == null ? List.of() : List.of((String[]) oldGroups.getArray()), rs.getBoolean(9));
                    }
                    String[] values = new String[width];
                    for (int j = 0; j < width; j++) {
                        values[j] = rs.getString(10 + j);
                    }
                    boolean gone = rs.getBoolean(3) || destination.trackedGroup() != null
                            && !recordGroups.contains(destination.trackedGroup());
                    // A record that is gone is found by its old key alone: its values are not compared.
                    List<String> groups = gone ? List.of() : groupNames(recordGroups);
                    UUID hash = gone ? null : hasher.of(values);
                    String key = values[pkIndex];
                    RecordChange.Kind kind = RecordChange.of(gone, destination.syncMode(), groupsTable, last, key, hash,
                            groups);
                    switch (kind) {
                        case UNCHANGED -> skipped++;
                        case REFUSED -> refused++;
                        case REFUSED_CLEAR_GROUPS -> {
                            refused++;
                            clears.put(last.key(), new PlannedChange(recordKey, keyOnly(last.key()), last.hash(), List.of(),
                                    true, false));
                        }
                        case DELETE -> deletes.put(last.key(), new PlannedChange(recordKey, keyOnly(last.key()), null,
                                List.of(), true, false));
                        case NO_KEY -> failures.put(recordKey, "the destination's primary key '"
                                + destination.primaryKey() + "' maps to property '" + destination.primaryKeyProperty()
                                + "', which has no value");
                        case INSERT, UPDATE, MOVE -> {
                            if (kind == RecordChange.Kind.MOVE) {
                                deletes.put(last.key(), new PlannedChange(recordKey, keyOnly(last.key()), null,
                                        List.of(), true, false));
                            }
                            PlannedChange change = new PlannedChange(recordKey, values, hash, groups,
                                    RecordChange.groupRowsChange(groupsTable, last, key, groups), last == null);
                            // Two records mapping to one destination key: the later change wins, once per batch.
                            inserts.remove(key);
                            updates.remove(key);
                            (kind == RecordChange.Kind.UPDATE ? updates : inserts).put(key, change);
                        }
                    }
                }
            }
        }
        List<OperationBatch> batches = new ArrayList<>();
        if (!deletes.isEmpty()) {
            batches.add(new OperationBatch(Operation.DELETE, List.copyOf(deletes.values())));
        }
        if (!inserts.isEmpty()) {
            batches.add(new OperationBatch(Operation.INSERT, List.copyOf(inserts.values())));
        }
        if (!updates.isEmpty()) {
            batches.add(new OperationBatch(Operation.UPDATE, List.copyOf(updates.values())));
        }
        if (!clears.isEmpty()) {
            batches.add(new OperationBatch(Operation.GROUPS, List.copyOf(clears.values())));
        }
        return new BatchPlan(batches, lastSeq, rows == destination.batchSize(), skipped, refused, failures, recordKeys);
    }

    /** The destination's names of the record's groups that it receives, in a stable order. */
    private List<String> groupNames(List<String> recordGroups) {
        if (destination.groupsTable() == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String group : recordGroups) {
            String name = destination.groups().get(group);
            if (name != null) {
                names.add(name);
            }
        }
        names.sort(null);
        return names;
    }

    /** Column values that carry only the destination key: enough to find a row to delete or clear. */
    private String[] keyOnly(String key) {
        String[] values = new String[columns.size()];
        values[pkIndex] = key;
        return values;
    }

    /**
     * Remembers what the batch wrote and moves the destination's cursor, after the destination committed. If we
     * crash between the two commits the batch is planned again and re-written with no effect.
     */
    public void recordExported(ExportRun run) throws SQLException {
        try {
            remember(run, true);
        } catch (SQLException e) {
            if (!PSQLState.UNIQUE_VIOLATION.getState().equals(e.getSQLState())) {
                throw e;
            }
            // A record planned as never sent that has an exports row all the same: its tombstone was purged while
            // a destination still had that row (additive and enrich keep deleted records' rows; the purge looks only
            // at the destinations configured then), and it came back. Upserts replace such a row.
            LOG.info("Export {}: a record planned as new had an exports row; the batch's exports rows are written "
                    + "again as upserts", destination.id());
            remember(run, false);
        }
        if (pacer.add(run.written.size() + run.deletedKeys.size())) {
            store.analyze("exports");
        }
        run.lastSeq = run.batchLastSeq;
        run.written.clear();
        run.deletedKeys.clear();
        run.counts.failed += run.failures.size();
        run.failures.clear();
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExportPlanner.class);

    /** @param copyFirstExports whether the rows of records the plan found no exports row for go in by plain COPY */
    private void remember(ExportRun run, boolean copyFirstExports) throws SQLException {
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!run.deletedKeys.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + store.table("exports")
                            + " WHERE destination = ? AND pk = ANY(?)")) {
                        ps.setString(1, destination.id());
                        ps.setArray(2, c.createArrayOf("text", run.deletedKeys.toArray()));
                        ps.executeUpdate();
                    }
                }
                recordFailures(c, run);
                List<PlannedChange> firsts = new ArrayList<>();
                List<PlannedChange> others = new ArrayList<>();
                for (PlannedChange w : run.written) {
                    (copyFirstExports && w.firstExport() ? firsts : others).add(w);
                }
                if (!firsts.isEmpty()) {
                    copyExports(c, firsts);
                }
                if (!others.isEmpty()) {
                    upsertExports(c, others);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.table("export_cursors")
                        + " (destination, last_seq, config_hash, updated_at) VALUES (?, ?, ?, now()) "
                        + "ON CONFLICT (destination) DO UPDATE SET last_seq = excluded.last_seq, "
                        + "config_hash = excluded.config_hash, updated_at = now()")) {
                    ps.setString(1, destination.id());
                    ps.setLong(2, run.batchLastSeq);
                    ps.setString(3, configHash);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Transactions.rollback(c, e);
                throw e;
            }
        }
    }

    /** A batch's exports rows as COPY text: [destination,] record key, destination key, values' hash, group names. */
    private dev.dromedary.sql.CopyText exportRows(List<PlannedChange> written, boolean withDestination) {
        dev.dromedary.sql.CopyText copy = new dev.dromedary.sql.CopyText();
        for (PlannedChange w : written) {
            if (withDestination) {
                copy.field(destination.id());
            }
            copy.field(w.recordKey()).field(w.values()[pkIndex])
                    .field(w.valuesHash() == null ? null : w.valuesHash().toString())
                    .field(TextArray.literal(w.groups())).endRow();
        }
        return copy;
    }

    /**
     * The rows of records the store remembers no export of, straight into exports: no session table, no conflict
     * check (measured: 27-30 ms against 41 ms for 5,000 rows; in a first sync that is every row).
     */
    private void copyExports(Connection c, List<PlannedChange> written) throws SQLException {
        dev.dromedary.sql.Copy.in(c, "COPY " + store.table("exports")
                + " (destination, pk, exported_key, values_hash, groups) FROM STDIN", exportRows(written, true));
    }

    /**
     * One row per record written: the destination key, the values' hash and the group names. The batch goes in by
     * COPY into a session table, then one upsert: as bound arrays, 10,000 hashes made pgjdbc build an array larger
     * than half a G1 region of a 256 MB heap, and each such array started a collection.
     */
    private void upsertExports(Connection c, List<PlannedChange> written) throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS dromedary_exported (k text, ek text, h uuid, g text[]) "
                    + "ON COMMIT DELETE ROWS");
        }
        dev.dromedary.sql.Copy.in(c, "COPY pg_temp.dromedary_exported FROM STDIN", exportRows(written, false));
        // A row from before V10 whose group rows were only cleared has no hash: it keeps its JSON.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.table("exports")
                + " AS x (destination, pk, exported_key, values_hash, groups, exported_at) SELECT ?, k, ek, h, g, "
                + "now() FROM pg_temp.dromedary_exported ON CONFLICT (destination, pk) DO UPDATE SET exported_key = "
                + "excluded.exported_key, values_hash = excluded.values_hash, groups = excluded.groups, "
                + "exported = CASE WHEN excluded.values_hash IS NULL THEN x.exported END, "
                + "exported_at = excluded.exported_at")) {
            ps.setString(1, destination.id());
            ps.executeUpdate();
        }
    }

    /** Refused records get their reason; records written or deleted this batch lose an old one. */
    private void recordFailures(Connection c, ExportRun run) throws SQLException {
        List<String> done = new ArrayList<>(run.deletedKeys);
        run.written.forEach(w -> done.add(w.recordKey()));
        if (!done.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + store.table("export_errors")
                    + " WHERE destination = ? AND pk = ANY(?)")) {
                ps.setString(1, destination.id());
                ps.setArray(2, c.createArrayOf("text", done.toArray()));
                ps.executeUpdate();
            }
        }
        if (!run.failures.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.table("export_errors")
                    + " (destination, pk, reason, failed_at) SELECT ?, k, r, now() FROM unnest(?::text[], ?::text[]) "
                    + "AS u(k, r) ON CONFLICT (destination, pk) DO UPDATE SET reason = excluded.reason, "
                    + "failed_at = excluded.failed_at")) {
                ps.setString(1, destination.id());
                ps.setArray(2, c.createArrayOf("text", run.failures.keySet().toArray()));
                ps.setArray(3, c.createArrayOf("text", run.failures.values().toArray()));
                ps.executeUpdate();
            }
        }
    }
}
