package dev.dromedary.destination;

import dev.dromedary.sql.Identifiers;
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

/**
 * Plans exports from the record store, change-only: it looks only at records whose seq moved since the
 * destination last looked, and compares their mapped values with what was last exported, in SQL.
 */
public final class ExportPlanner {
    private final RecordStore store;
    private final DestinationDefinition destination;
    private final String model;
    private final List<String> columns;
    private final String pageSql;
    private final String configHash;

    private final String groupNamesJson;
    private final dev.dromedary.record.AnalyzePacer pacer;

    public ExportPlanner(RecordStore store, DestinationDefinition destination, String model) {
        this.store = store;
        this.destination = destination;
        this.model = model;
        this.pacer = new dev.dromedary.record.AnalyzePacer(() -> store.analyzedRows("exports"));
        this.columns = List.copyOf(destination.mappings().keySet());
        // Not in the hash: the groups table's two column names. Adding them would make every deployment with a groups
        // table re-compare all its records once after an upgrade (measured: 548 s at 10M records); a change of
        // either is followed by --resync instead (docs/configuration.md).
        this.configHash = Integer.toHexString((destination.table() + "|" + destination.primaryKey() + "|"
                + destination.mappings() + "|" + destination.trackedGroup() + "|" + destination.groupsTable() + "|"
                + destination.groups()).hashCode());
        StringBuilder names = new StringBuilder("{");
        destination.groups().forEach((group, name) -> names.append(names.length() > 1 ? "," : "")
                .append(dev.dromedary.record.Json.quote(group)).append(':').append(dev.dromedary.record.Json.quote(name)));
        this.groupNamesJson = names.append('}').toString();
        StringBuilder mapped = new StringBuilder("jsonb_build_object(");
        StringBuilder values = new StringBuilder();
        StringBuilder old = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            String property = destination.mappings().get(column);
            mapped.append(i == 0 ? "" : ", ").append(Identifiers.literal(column)).append(", r.properties -> ").append(Identifiers.literal(property));
            values.append(", m.mapped ->> ").append(Identifiers.literal(column));
            old.append(", e.exported ->> ").append(Identifiers.literal(column));
        }
        mapped.append(")");
        boolean groupsTable = destination.groupsTable() != null;
        if (groupsTable) {
            // The record's tracked groups, under their names in the destination, travel with its values.
            mapped.append(" || jsonb_build_object('$groups', (SELECT coalesce(jsonb_agg(gm.value ORDER BY gm.value), "
                    + "'[]'::jsonb) FROM jsonb_each_text(CAST(? AS jsonb)) AS gm WHERE gm.key = ANY(r.groups)))");
        }
        String inScope = destination.trackedGroup() == null ? "TRUE" : "r.groups @> ARRAY[CAST(? AS text)]";
        // OFFSET 0 keeps the lateral from being inlined: the mapped values are built once per record, not once
        // per reference. Per record: new values, what was last exported, and whether it is new, changed or deleted.
        // The last export is looked up by the record's full key in its own lateral (OFFSET 0 again): as a plain
        // join, statistics that do not know this destination yet (estimated 1 row) planned one scan of all its
        // exports, filtered per record, and each batch took longer than the one before.
        this.pageSql = "SELECT r.seq, r.pk, m.mapped::text, e.pk IS NULL, e.exported IS DISTINCT FROM m.mapped, "
                + "r.deleted_at IS NOT NULL OR NOT " + inScope + ", "
                + "ARRAY(SELECT jsonb_array_elements_text(m.mapped -> '$groups')), "
                + "coalesce(e.exported -> '$groups', '[]'::jsonb) <> '[]'::jsonb, "
                + "(e.exported || jsonb_build_object('$groups', '[]'::jsonb))::text, "
                + "(m.mapped -> '$groups') IS DISTINCT FROM (e.exported -> '$groups')" + values + old
                + " FROM " + store.table("records") + " r CROSS JOIN LATERAL (SELECT " + mapped + " AS mapped OFFSET 0) m"
                + " LEFT JOIN LATERAL (SELECT x.pk, x.exported FROM " + store.table("exports") + " x"
                + " WHERE x.destination = ? AND x.pk = r.pk OFFSET 0) e ON TRUE"
                + " WHERE r.model = ? AND r.seq > ? AND r.seq <= ? ORDER BY r.seq LIMIT ?";
    }


    /** The page query, for tests that check how PostgreSQL plans it. */
    String pageSql() {
        return pageSql;
    }

    public List<String> columns() {
        return columns;
    }

    /** Starts a run: from the destination's cursor up to a seq below which every record change is committed. */
    public ExportRun begin(long runId) throws SQLException {
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
                // Writers hold this lock while they take seq numbers: once we have it, no lower seq is in flight.
                ModelLock.acquire(c, model);
                // Records this destination refused last time come round again in this run.
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + store.table("records") + " r SET seq = "
                        + "nextval(" + store.sequenceLiteral() + ") FROM " + store.table("export_errors") + " x "
                        + "WHERE x.destination = ? AND r.model = ? AND r.pk = x.pk AND r.seq <= ?")) {
                    ps.setString(1, destination.id());
                    ps.setString(2, model);
                    ps.setLong(3, from);
                    ps.executeUpdate();
                }
                long upper;
                try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM "
                        + store.table("records") + " WHERE model = ?")) {
                    ps.setString(1, model);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        upper = rs.getLong(1);
                    }
                }
                c.commit();
                return new ExportRun(runId, from, upper);
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
     * The next batch's changes grouped by operation (empty when the run has nothing left): deletes first, so a
     * row whose key changed is moved, not duplicated; then inserts, then updates.
     */
    public List<OperationBatch> next(ExportRun run) throws SQLException {
        Map<String, PlannedChange> deletes = new LinkedHashMap<>();
        Map<String, PlannedChange> clears = new LinkedHashMap<>();
        Map<String, PlannedChange> inserts = new LinkedHashMap<>();
        Map<String, PlannedChange> updates = new LinkedHashMap<>();
        long lastSeq = run.lastSeq;
        int rows = 0;
        int width = columns.size();
        int pkIndex = columns.indexOf(destination.primaryKey());
        boolean sync = destination.syncMode() == SyncMode.SYNC;
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(pageSql)) {
            // In the order of their ? in the text: the tracked group (select list), then the group names (FROM).
            int i = 1;
            if (destination.trackedGroup() != null) {
                ps.setString(i++, destination.trackedGroup());
            }
            if (destination.groupsTable() != null) {
                ps.setString(i++, groupNamesJson);
            }
            ps.setString(i++, destination.id());
            ps.setString(i++, model);
            ps.setLong(i++, run.lastSeq);
            ps.setLong(i++, run.upperSeq);
            ps.setInt(i, destination.batchSize());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    lastSeq = rs.getLong(1);
                    String recordKey = rs.getString(2);
                    boolean isNew = rs.getBoolean(4);
                    boolean changed = rs.getBoolean(5);
                    boolean gone = rs.getBoolean(6);
                    List<String> groups = List.of((String[]) rs.getArray(7).getArray());
                    boolean hadGroupRows = rs.getBoolean(8);
                    String[] values = new String[width];
                    String[] old = new String[width];
                    boolean groupsChanged = rs.getBoolean(10);
                    for (int j = 0; j < width; j++) {
                        values[j] = rs.getString(11 + j);
                        old[j] = rs.getString(11 + width + j);
                    }
                    if (gone) {
                        // Deleted, or out of the tracked group: removed in sync mode, kept otherwise.
                        if (isNew) {
                            run.counts.skipped++;
                        } else if (sync) {
                            deletes.put(old[pkIndex], new PlannedChange(recordKey, old, null, List.of(), true));
                        } else {
                            run.counts.refused++;
                            if (hadGroupRows && destination.groupsTable() != null) {
                                clears.put(old[pkIndex], new PlannedChange(recordKey, old, rs.getString(9), List.of(), true));
                            }
                        }
                        continue;
                    }
                    if (!changed) {
                        run.counts.skipped++;
                        continue;
                    }
                    if (values[pkIndex] == null) {
                        run.failures.put(recordKey, "the destination's primary key '" + destination.primaryKey()
                                + "' maps to property '" + destination.primaryKeyProperty() + "', which has no value");
                        continue;
                    }
                    boolean keyChanged = !isNew && old[pkIndex] != null && !old[pkIndex].equals(values[pkIndex]);
                    // Under a new key the record's group rows are written whatever its groups did.
                    PlannedChange change = new PlannedChange(recordKey, values, rs.getString(3), groups,
                            groupsChanged || keyChanged);
                    if (keyChanged && sync) {
                        // The old row goes, the record is written under its new key.
                        deletes.put(old[pkIndex], new PlannedChange(recordKey, old, null, List.of(), true));
                        isNew = true;
                    }
                    // Two records mapping to one destination key: the later change wins, once per batch.
                    inserts.remove(values[pkIndex]);
                    updates.remove(values[pkIndex]);
                    (isNew ? inserts : updates).put(values[pkIndex], change);
                }
            }
        }
        run.batchLastSeq = lastSeq;
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
        run.hasMore = rows == destination.batchSize();
        return batches;
    }

    /**
     * Remembers what the batch wrote and moves the destination's cursor, after the destination committed. If we
     * crash between the two commits the batch is planned again and re-written with no effect.
     */
    public void recordExported(ExportRun run) throws SQLException {
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
                if (!run.written.isEmpty()) {
                    String[] keys = new String[run.written.size()];
                    String[] mapped = new String[run.written.size()];
                    for (int i = 0; i < keys.length; i++) {
                        keys[i] = run.written.get(i).recordKey();
                        mapped[i] = run.written.get(i).mappedJson();
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.table("exports")
                            + " (destination, pk, exported, exported_at) SELECT ?, k, m::jsonb, now() "
                            + "FROM unnest(?::text[], ?::text[]) AS u(k, m) ON CONFLICT (destination, pk) DO UPDATE "
                            + "SET exported = excluded.exported, exported_at = excluded.exported_at")) {
                        ps.setString(1, destination.id());
                        ps.setArray(2, c.createArrayOf("text", keys));
                        ps.setArray(3, c.createArrayOf("text", mapped));
                        ps.executeUpdate();
                    }
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
        if (pacer.add(run.written.size() + run.deletedKeys.size())) {
            store.analyze("exports");
        }
        run.lastSeq = run.batchLastSeq;
        run.written.clear();
        run.deletedKeys.clear();
        run.counts.failed += run.failures.size();
        run.failures.clear();
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
