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

    public static void acquire(Connection c, String model) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            ps.setString(1, "dromedary.model:" + model);
            ps.execute();
        }
    }
}
