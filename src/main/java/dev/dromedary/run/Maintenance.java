package dev.dromedary.run;

import dev.dromedary.record.RecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Operator actions on the record store: forget what a destination received, or where a schedule stands. Each
 * waits until no run of that destination or schedule is under way, on any node: a run's next commit would
 * otherwise put back part of what was forgotten.
 */
public final class Maintenance {
    private final RecordStore store;
    private final RunLocks locks;

    public Maintenance(RecordStore store, RunLocks locks) {
        this.store = store;
        this.locks = locks;
    }

    /** The next export of the destination re-sends every record (e.g. after its table was emptied by hand). */
    public void forgetExports(String destination) throws SQLException, InterruptedException {
        try (RunLocks.Held held = locks.acquire("export", destination);
             Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                for (String table : new String[] {"exports", "export_cursors", "export_errors"}) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + store.table(table)
                            + " WHERE destination = ?")) {
                        ps.setString(1, destination);
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                dev.dromedary.sql.Transactions.rollback(c, e);
                throw e;
            }
        }
    }

    /** The next run of the schedule starts from the beginning. */
    public void resetCursor(String source) throws SQLException, InterruptedException {
        try (RunLocks.Held held = locks.acquire("import", source);
             Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM " + store.table("cursors") + " WHERE source = ?")) {
            ps.setString(1, source);
            ps.executeUpdate();
        }
    }
}
