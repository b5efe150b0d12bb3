package dev.dromedary.record;

import dev.dromedary.sql.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Deletes records: first as tombstones (deleted_at set, a new seq, so each destination exports the deletion
 * with the values it last received), then for good once every destination of the model has looked past them.
 */
public final class RecordDeleter {
    private final RecordStore store;
    private final String model;

    public RecordDeleter(RecordStore store, String model) {
        this.store = store;
        this.model = model;
    }

    /** Marks records deleted; returns how many were live. */
    public int markDeleted(List<String> keys) throws SQLException {
        if (keys.isEmpty()) {
            return 0;
        }
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                ModelLock.acquire(c, model);
                int n;
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + store.table("records") + " SET deleted_at = "
                        + "now(), seq = nextval(" + store.sequenceLiteral() + ") WHERE model = ? AND pk = ANY(?) "
                        + "AND deleted_at IS NULL")) {
                    ps.setString(1, model);
                    ps.setArray(2, c.createArrayOf("text", keys.toArray()));
                    n = ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + store.table("enrich_queue")
                        + " WHERE model = ? AND pk = ANY(?)")) {
                    ps.setString(1, model);
                    ps.setArray(2, c.createArrayOf("text", keys.toArray()));
                    ps.executeUpdate();
                }
                c.commit();
                return n;
            } catch (SQLException | RuntimeException e) {
                Transactions.rollback(c, e);
                throw e;
            }
        }
    }

    /**
     * Tombstones at or below every destination's cursor, found through the partial index {@code records_tombstones}
     * (V8), so a purge costs the deletions, not a scan of the store.
     */
    String purgeSql() {
        return "DELETE FROM " + store.table("records") + " r WHERE r.model = ? "
                + "AND r.deleted_at IS NOT NULL AND r.seq <= (SELECT coalesce(min(coalesce(ec.last_seq, 0)), "
                + "9223372036854775807) FROM unnest(?::text[]) AS d(id) LEFT JOIN " + store.table("export_cursors")
                + " ec ON ec.destination = d.id) "
                // a deletion a destination refused stays until it is exported
                + "AND NOT EXISTS (SELECT 1 FROM " + store.table("export_errors") + " x WHERE x.pk = r.pk "
                + "AND x.destination = ANY(?::text[]))";
    }

    /** Removes tombstones every destination of the model has exported (all of them when it has none). */
    public int purge(List<String> destinations) throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(purgeSql())) {
            ps.setString(1, model);
            ps.setArray(2, c.createArrayOf("text", destinations.toArray()));
            ps.setArray(3, c.createArrayOf("text", destinations.toArray()));
            return ps.executeUpdate();
        }
    }
}
