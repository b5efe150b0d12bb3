package dev.dromedary.run;

import dev.dromedary.record.RecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Operator actions on the record store: forget what a destination received, or where a schedule stands. */
public final class Maintenance {
    private final RecordStore store;

    public Maintenance(RecordStore store) {
        this.store = store;
    }

    /** The next export of the destination re-sends every record (e.g. after its table was emptied by hand). */
    public void forgetExports(String destination) throws SQLException {
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            for (String table : new String[] {"exports", "export_cursors", "export_errors"}) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + store.table(table)
                        + " WHERE destination = ?")) {
                    ps.setString(1, destination);
                    ps.executeUpdate();
                }
            }
            c.commit();
        }
    }

    /** The next run of the schedule starts from the beginning. */
    public void resetCursor(String source) throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM " + store.table("cursors") + " WHERE source = ?")) {
            ps.setString(1, source);
            ps.executeUpdate();
        }
    }
}
