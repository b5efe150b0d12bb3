package dev.dromedary.record;

import dev.dromedary.source.Cursor;
import dev.dromedary.source.CursorStore;
import dev.dromedary.source.PropertyDefinition;
import dev.dromedary.source.SourceDefinition;
import dev.dromedary.source.SourcePage;
import dev.dromedary.sql.Copy;
import dev.dromedary.sql.CopyText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one page of a primary source into the record store, set-based: COPY into a session staging table, one
 * INSERT ... ON CONFLICT merge that only touches records whose values changed (giving them a new seq), and the
 * cursor, all in one transaction. A replayed page changes nothing.
 */
public final class RecordWriter {
    private final RecordStore store;
    private final CursorStore cursors;
    private final String model;
    private final SourceDefinition source;
    private final String configHash;
    private final String stage;
    private final String mergeSql;

    public record Written(long created, long updated) {
    }

    public RecordWriter(RecordStore store, CursorStore cursors, String model, SourceDefinition source,
                        String configHash) {
        this.store = store;
        this.cursors = cursors;
        this.model = model;
        this.source = source;
        this.configHash = configHash;
        int n = source.properties().size();
        this.stage = "dromedary_stage_" + n;
        this.mergeSql = mergeSql(n);
    }

    private String mergeSql(int n) {
        List<String> props = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        props.add(literal(source.mapping().property()) + ", to_jsonb(pk)");
        for (int i = 0; i < n; i++) {
            PropertyDefinition p = source.properties().get(i);
            props.add(literal(p.name()) + ", " + ValueConverter.toJsonSql(p.type(), "v" + i));
            invalid.add(literal(p.name()) + ", i" + i);
        }
        String records = store.table("records");
        String remaining = "(coalesce(r.invalid, '{}'::jsonb) - ?::text[]) || coalesce(excluded.invalid, '{}'::jsonb)";
        return "WITH s AS (SELECT DISTINCT ON (pk) pk, " + jsonObject(props) + " AS props, "
                + (invalid.isEmpty() ? "'{}'::jsonb" : "jsonb_strip_nulls(" + jsonObject(invalid) + ")") + " AS inv "
                + "FROM pg_temp." + stage + " ORDER BY pk, ord DESC), "
                + "m AS (INSERT INTO " + records + " AS r (model, pk, properties, invalid, seq) "
                + "SELECT ?, s.pk, s.props, nullif(s.inv, '{}'::jsonb), nextval('" + store.schema().replace("'", "''")
                + ".record_seq') FROM s "
                + "ON CONFLICT (model, pk) DO UPDATE SET properties = r.properties || excluded.properties, "
                + "invalid = nullif(" + remaining + ", '{}'::jsonb), seq = excluded.seq, updated_at = now() "
                + "WHERE r.properties || excluded.properties IS DISTINCT FROM r.properties "
                + "OR nullif(" + remaining + ", '{}'::jsonb) IS DISTINCT FROM r.invalid "
                + "RETURNING (xmax = 0) AS created) "
                + "SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM m";
    }

    /** jsonb_build_object takes at most 100 arguments: wide sources are built in chunks and concatenated. */
    private static String jsonObject(List<String> pairs) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += 50) {
            parts.add("jsonb_build_object(" + String.join(", ", pairs.subList(i, Math.min(pairs.size(), i + 50))) + ")");
        }
        return parts.isEmpty() ? "'{}'::jsonb" : String.join(" || ", parts);
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    public Written write(SourcePage page, Cursor newCursor) throws SQLException {
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                Written w = page.rows().isEmpty() ? new Written(0, 0) : merge(c, page);
                if (newCursor != null) {
                    cursors.save(c, source.id(), configHash, newCursor);
                }
                c.commit();
                return w;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private Written merge(Connection c, SourcePage page) throws SQLException {
        ModelLock.acquire(c, model);
        int n = source.properties().size();
        try (Statement st = c.createStatement()) {
            StringBuilder ddl = new StringBuilder("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (ord int, pk text");
            for (int i = 0; i < n; i++) {
                ddl.append(", v").append(i).append(" text, i").append(i).append(" text");
            }
            st.execute(ddl.append(") ON COMMIT DELETE ROWS").toString());
        }
        CopyText copy = new CopyText();
        int ord = 0;
        for (SourcePage.Row row : page.rows()) {
            copy.field(Integer.toString(ord++)).field(row.key());
            for (int i = 0; i < n; i++) {
                copy.field(row.values()[i]).field(row.invalid() == null ? null : row.invalid()[i]);
            }
            copy.endRow();
        }
        Copy.in(c, "COPY " + stage + " FROM STDIN", copy);
        String[] names = source.properties().stream().map(PropertyDefinition::name).toArray(String[]::new);
        try (PreparedStatement ps = c.prepareStatement(mergeSql)) {
            ps.setString(1, model);
            ps.setArray(2, c.createArrayOf("text", names));
            ps.setArray(3, c.createArrayOf("text", names));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Written(rs.getLong(1), rs.getLong(2));
            }
        }
    }
}
