package dev.dromedary.run;

import dev.dromedary.record.RecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Writes each run's start, end, counts and outcome to the record store's runs table. */
public final class RunHistory {
    private final RecordStore store;
    private final String node;

    /** A source's properties step is recorded under the source's id with this suffix; run locks cover both. */
    public static final String ENRICH_SUFFIX = ":enrich";

    /** The run-history name of a source's properties step. */
    public static String enrichName(String sourceId) {
        return sourceId + ENRICH_SUFFIX;
    }

    /** @param node this process's node id, written with each run it starts */
    public RunHistory(RecordStore store, String node) {
        this.store = store;
        this.node = node;
    }

    public long start(String kind, String name) throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.table("runs")
                     + " (kind, name, status, node) VALUES (?, ?, 'running', ?) RETURNING id")) {
            ps.setString(1, kind);
            ps.setString(2, name);
            ps.setString(3, node);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public void finish(long runId, RunCounts n, String error) throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE " + store.table("runs") + " SET status = ?, "
                     + "ended_at = clock_timestamp(), rows_read = ?, records_created = ?, records_updated = ?, "
                     + "rows_rejected = ?, inserted = ?, updated = ?, deleted = ?, skipped = ?, failed = ?, error = ?, refused = ? "
                     + "WHERE id = ?")) {
            ps.setString(1, error == null ? "succeeded" : "failed");
            ps.setLong(2, n.rowsRead);
            ps.setLong(3, n.recordsCreated);
            ps.setLong(4, n.recordsUpdated);
            ps.setLong(5, n.rowsRejected);
            ps.setLong(6, n.inserted);
            ps.setLong(7, n.updated);
            ps.setLong(8, n.deleted);
            ps.setLong(9, n.skipped);
            ps.setLong(10, n.failed);
            ps.setString(11, error);
            ps.setLong(12, n.refused);
            ps.setLong(13, runId);
            ps.executeUpdate();
        }
    }

    /** One finished or running run, as the summary prints it. */
    public record Run(long id, String kind, String name, String status, double seconds, long rowsRead,
                      long created, long updated, long rejected, long inserted, long updatedRows, long deleted,
                      long skipped, long failed, String error, long refused) {
    }

    public List<Run> since(long firstRunId) throws SQLException {
        List<Run> runs = new ArrayList<>();
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, kind, name, status, "
                     + "extract(epoch FROM coalesce(ended_at, clock_timestamp()) - started_at), rows_read, "
                     + "records_created, records_updated, rows_rejected, inserted, updated, deleted, skipped, failed, "
                     + "error, refused FROM " + store.table("runs") + " WHERE id >= ? ORDER BY id")) {
            ps.setLong(1, firstRunId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(new Run(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getDouble(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                            rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14),
                            rs.getString(15), rs.getLong(16)));
                }
            }
        }
        return runs;
    }

    public long nextRunId() throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(id), 0) + 1 FROM " + store.table("runs"));
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
