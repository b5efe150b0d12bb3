package dev.dromedary.record;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A transaction-scoped advisory lock per model. Writers of a model's records hold it while they take new seq
 * numbers; an export takes it to learn a seq below which every change is committed, so none is skipped.
 */
public final class ModelLock {
    private ModelLock() {
    }

    /**
     * Takes the lock (if this transaction does not hold it yet) and reads the model's highest seq: once this
     * transaction ends, every change up to it is committed.
     */
    public static long committedSeqAfter(Connection c, RecordStore store, String model) throws SQLException {
        acquire(c, model);
        return maxSeq(c, store, model);
    }

    /** The model's highest seq, for a transaction that already holds the lock. */
    public static long maxSeq(Connection c, RecordStore store, String model) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM " + store.table("records")
                + " WHERE model = ?")) {
            ps.setString(1, model);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public static void acquire(Connection c, String model) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            ps.setString(1, "dromedary.model:" + model);
            ps.execute();
        }
    }
}
