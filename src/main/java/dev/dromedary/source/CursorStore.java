package dev.dromedary.source;

import dev.dromedary.record.RecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Cursors of incremental schedules. A cursor is only ever written inside the transaction that commits the page
 * it covers; one saved under another configuration hash (column or filters changed) reads as the start.
 */
public final class CursorStore {
    private final RecordStore store;

    public CursorStore(RecordStore store) {
        this.store = store;
    }

    public Cursor load(String source, String configHash) throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT config_hash, last_value, last_key FROM "
                     + store.table("cursors") + " WHERE source = ?")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !configHash.equals(rs.getString(1))) {
                    return Cursor.START;
                }
                return new Cursor(rs.getString(2), rs.getString(3));
            }
        }
    }

    /** Saves the cursor on the caller's connection, inside the caller's transaction. */
    public void save(Connection c, String source, String configHash, Cursor cursor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.table("cursors")
                + " (source, config_hash, last_value, last_key, updated_at) VALUES (?, ?, ?, ?, now()) "
                + "ON CONFLICT (source) DO UPDATE SET config_hash = excluded.config_hash, "
                + "last_value = excluded.last_value, last_key = excluded.last_key, updated_at = now()")) {
            ps.setString(1, source);
            ps.setString(2, configHash);
            ps.setString(3, cursor.value());
            ps.setString(4, cursor.key());
            ps.executeUpdate();
        }
    }

    public void reset(String source) throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM " + store.table("cursors") + " WHERE source = ?")) {
            ps.setString(1, source);
            ps.executeUpdate();
        }
    }
}
