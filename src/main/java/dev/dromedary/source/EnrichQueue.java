package dev.dromedary.source;

import dev.dromedary.sql.Identifiers;
import dev.dromedary.record.RecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Records waiting for a secondary source's properties, and pages of the model's records for full runs. */
public final class EnrichQueue {
    private final RecordStore store;
    private final String model;
    private final String source;
    private final String keyExpression;

    /** A page of records: their keys in the store and the values of the property the source maps to. */
    public record Batch(List<String> recordKeys, List<String> mappedValues) {
    }

    /** @param mappedProperty the property the secondary source's mapping column holds; null = the primary key */
    public EnrichQueue(RecordStore store, String model, String source, String mappedProperty) {
        this.store = store;
        this.model = model;
        this.source = source;
        this.keyExpression = mappedProperty == null ? "r.pk"
                : "r.properties ->> " + Identifiers.literal(mappedProperty);
    }

    public Batch next(int limit) throws SQLException {
        return query("SELECT q.pk, " + keyExpression + " FROM " + store.table("enrich_queue") + " q LEFT JOIN "
                + store.table("records") + " r ON r.model = q.model AND r.pk = q.pk WHERE q.source = ? "
                + "ORDER BY q.pk LIMIT ?", source, limit);
    }

    /** The model's records after {@code afterKey}, for a full run of a secondary source. */
    public Batch records(String afterKey, int limit) throws SQLException {
        return query("SELECT r.pk, " + keyExpression + " FROM " + store.table("records") + " r WHERE r.model = ? "
                + "AND r.deleted_at IS NULL AND r.pk > ? ORDER BY r.pk LIMIT ?", model, afterKey == null ? "" : afterKey, limit);
    }

    private Batch query(String sql, String first, Object... rest) throws SQLException {
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        try (Connection c = store.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, first);
            for (int i = 0; i < rest.length; i++) {
                ps.setObject(2 + i, rest[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                    values.add(rs.getString(2));
                }
            }
        }
        return new Batch(keys, values);
    }

    /**
     * Reclaims the queue's dead entries after a run emptied much of it. Every read of the queue walks its index
     * from the start of this source's entries, dead ones included, and without autovacuum a million entries removed
     * by a first run would be walked again by every later run, even with the queue empty.
     */
    public void vacuum() {
        try (Connection c = store.dataSource().getConnection(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute("VACUUM " + store.table("enrich_queue"));
        } catch (SQLException e) {
            org.slf4j.LoggerFactory.getLogger(EnrichQueue.class).warn("VACUUM of the enrichment queue failed: {}",
                    e.getMessage());
        }
    }

    /** Removes processed entries, inside the transaction that stored their properties. */
    public void remove(Connection c, List<String> recordKeys) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + store.table("enrich_queue")
                + " WHERE source = ? AND pk = ANY(?)")) {
            ps.setString(1, source);
            ps.setArray(2, c.createArrayOf("text", recordKeys.toArray()));
            ps.executeUpdate();
        }
    }
}
