package dev.dromedary.record;

import dev.dromedary.sql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Enforces unique properties after a page is merged: when records share a value, the record that held it
 * first (oldest, then lowest key) keeps it; each other one loses the value and carries the reason instead.
 */
final class UniqueProperties {
    private final RecordStore store;
    private final String model;
    private final List<String> properties;

    UniqueProperties(RecordStore store, String model, List<String> properties) {
        this.store = store;
        this.model = model;
        this.properties = properties;
    }

    void enforce(Connection c, String[] changedKeys) throws SQLException {
        if (properties.isEmpty() || changedKeys.length == 0) {
            return;
        }
        String records = store.table("records");
        for (String p : properties) {
            String value = "properties ->> " + Identifiers.literal(p);
            String sql = "WITH touched AS (SELECT DISTINCT " + value + " AS v FROM " + records
                    + " WHERE model = ? AND pk = ANY(?) AND " + value + " IS NOT NULL), "
                    + "ranked AS (SELECT r.pk, r." + value + " AS v, first_value(r.pk) OVER (PARTITION BY r." + value
                    + " ORDER BY r.created_at, r.pk) AS holder FROM " + records + " r JOIN touched ON r." + value
                    + " = touched.v WHERE r.model = ? AND r.deleted_at IS NULL) "
                    + "UPDATE " + records + " r SET properties = jsonb_set(r.properties, ARRAY[?], 'null'::jsonb), "
                    + "invalid = coalesce(r.invalid, '{}'::jsonb) || jsonb_build_object(?::text, "
                    + "format('duplicate value %L: already held by record %s', ranked.v, ranked.holder)), "
                    + "seq = nextval(" + store.sequenceLiteral() + ") "
                    + "FROM ranked WHERE r.model = ? AND r.pk = ranked.pk AND ranked.pk <> ranked.holder";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, model);
                ps.setArray(2, c.createArrayOf("text", changedKeys));
                ps.setString(3, model);
                ps.setString(4, p);
                ps.setString(5, p);
                ps.setString(6, model);
                ps.executeUpdate();
            }
        }
    }
}
