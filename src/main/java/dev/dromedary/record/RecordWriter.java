package dev.dromedary.record;

import dev.dromedary.sql.Identifiers;
import dev.dromedary.sql.JsonbObject;
import dev.dromedary.source.Cursor;
import dev.dromedary.source.CursorStore;
import dev.dromedary.source.PropertyDefinition;
import dev.dromedary.source.SourceDefinition;
import dev.dromedary.source.SourcePage;
import dev.dromedary.sql.Copy;
import dev.dromedary.sql.CopyText;
import dev.dromedary.sql.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one page of a source into the record store, set-based: COPY into a session staging table, then one
 * statement that merges it, touching only records whose values changed (they take a new seq), then the cursor,
 * all in one transaction. A primary source creates records and queues them for enrichment by the model's
 * secondary sources (a first import's writer carries some secondaries' properties itself and queues only for the
 * others); a secondary source only updates the records whose mapped property has the page's key, every such
 * record when the property is not unique. A replayed page changes nothing.
 */
public final class RecordWriter {
    private final RecordStore store;
    private final CursorStore cursors;
    private final String model;
    private final SourceDefinition source;
    private final boolean primary;
    private final String configHash;
    private final List<String> secondarySources;
    private final String stage;
    /** The property a secondary source's key is matched against, or null for the record key. */
    private final String matchProperty;
    private final UniqueProperties unique;
    private final String keyProperty;

    /**
     * @param firstQueued the lowest seq of a record the page created and queued for a secondary source, 0 if none
     */
    public record Written(long created, long updated, long firstQueued) {
    }

    /**
     * @param primaryKeyProperty the model's primary-key property
     * @param secondarySources   ids of the model's secondary sources, which enrich each record this one creates
     */
    public RecordWriter(RecordStore store, CursorStore cursors, String model, String primaryKeyProperty,
                        SourceDefinition source, boolean primary, String configHash, List<String> secondarySources) {
        this.store = store;
        this.cursors = cursors;
        this.model = model;
        this.source = source;
        this.primary = primary;
        this.configHash = configHash;
        this.secondarySources = secondarySources;
        int n = source.properties().size();
        this.stage = "dromedary_stage_" + n;
        // Query sources key their rows by record; table sources by the value of their mapped property.
        String matchProperty = source.mapping() == null ? primaryKeyProperty : source.mapping().property();
        this.keyProperty = primaryKeyProperty;
        this.matchProperty = primary || matchProperty.equals(primaryKeyProperty) ? null : matchProperty;
        this.pacer = new AnalyzePacer(() -> store.analyzedRows("records"));
        this.unique = new UniqueProperties(store, model, source.properties().stream()
                .filter(PropertyDefinition::unique).map(PropertyDefinition::name).toList());
    }

    /** In a page's transaction: the seq up to which every change of the model is committed once it commits. */
    public long committedSeqAfter(Connection c) throws SQLException {
        return ModelLock.committedSeqAfter(c, store, model);
    }

    /** Whether the records this writer creates are queued for no secondary source: they are complete once written. */
    public boolean queuesNone() {
        return secondarySources.isEmpty();
    }

    /**
     * The lowest seq of a record of the model still queued for one of this writer's secondary sources (left by an
     * earlier run), or 0 if none. Entries of a source no longer configured are not counted: nothing would ever
     * remove them. Only a primary source's pages queue records, so while its run holds its gate no entry with a
     * lower seq can appear.
     */
    public long firstQueuedSeq() throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT coalesce(min(r.seq), 0) FROM "
                     + store.table("enrich_queue") + " q JOIN " + store.table("records")
                     + " r ON r.model = q.model AND r.pk = q.pk WHERE q.source = ANY(?) AND q.model = ?")) {
            ps.setArray(1, c.createArrayOf("text", secondarySources.toArray()));
            ps.setString(2, model);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private String propsSql(int n) {
        List<String> props = new ArrayList<>();
        if (primary) {
            props.add(Identifiers.literal(keyProperty) + ", pk");
        }
        List<String> invalid = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PropertyDefinition p = source.properties().get(i);
            props.add(Identifiers.literal(p.name()) + ", " + ValueConverter.toJsonSql(p.type(), p.array(), "v" + i));
            invalid.add(Identifiers.literal(p.name()) + ", i" + i);
            reasons.add("i" + i);
        }
        // Almost every row has no invalid value: building and stripping an object of nulls for each was a sixth of
        // the insert's cost (measured: 165 → 140 ms a page of 10,000 rows).
        String inv = invalid.isEmpty() ? "'{}'::jsonb" : "CASE WHEN coalesce(" + String.join(", ", reasons)
                + ") IS NULL THEN '{}'::jsonb ELSE jsonb_strip_nulls(" + JsonbObject.of(invalid) + ") END";
        String rows = "SELECT DISTINCT ON (pk) pk, " + JsonbObject.of(props) + " AS props, " + inv + " AS inv "
                + "FROM pg_temp." + stage + " ORDER BY pk, ord DESC";
        // A primary's rows take their seq here, one per row of the page: the insert uses it twice (seq and
        // created_seq), and a CTE that calls nextval() is computed once, never inlined.
        return primary ? "WITH s AS (SELECT d.*, " + nextSeq() + " AS seq FROM (" + rows + ") d)"
                : "WITH s AS (" + rows + ")";
    }

    private String nextSeq() {
        return "nextval(" + store.sequenceLiteral() + ")";
    }

    /** Invalid reasons: this source's old reasons are replaced by its new ones; other sources' stay. */
    private static final String MERGED_INVALID =
            "nullif((coalesce(r.invalid, '{}'::jsonb) - ?::text[]) || coalesce(%s, '{}'::jsonb), '{}'::jsonb)";

    /** A merge statement and its bind values, in the order of their placeholders (String[] binds a text[]). */
    private record Merge(String sql, List<Object> binds) {
    }

    /**
     * The page's merge. With groups, every record it writes gets the memberships of its merged properties in the
     * same statement, so the model's group evaluation finds them right and does not write them a second time.
     */
    private Merge merge(String[] names) {
        List<Object> binds = new ArrayList<>();
        return new Merge(primary ? upsertSql(names, binds) : updateSql(names, binds), binds);
    }

    /** SET clause for the groups of a record whose properties become {@code merged}, or "" without groups. */
    private String groupsSet(String merged, List<Object> binds) {
        return membership == null ? ""
                // OFFSET 0 keeps the merge computed once, not once per rule that reads it.
                : ", groups = (SELECT " + membership.sql(binds) + " FROM (SELECT " + merged + " AS properties OFFSET 0) r)";
    }

    private String upsertSql(String[] names, List<Object> binds) {
        String records = store.table("records");
        String invalid = String.format(MERGED_INVALID, "excluded.invalid");
        // A new record's seq is also its created_seq (kept by the update below), which tells exports that no
        // destination whose cursor is below it has ever been sent the record.
        StringBuilder sql = new StringBuilder(propsSql(names.length)).append(", m AS (INSERT INTO ").append(records)
                .append(" AS r (model, pk, properties, invalid, seq, created_seq, groups) SELECT ?, s.pk, s.props, ")
                .append("nullif(s.inv, '{}'::jsonb), s.seq, s.seq, ");
        binds.add(model);
        sql.append(membership == null ? "'{}'::text[]" : membership.sql(binds))
                .append(" FROM s CROSS JOIN LATERAL (SELECT s.props AS properties) r ")
                .append("ON CONFLICT (model, pk) DO UPDATE SET properties = r.properties || excluded.properties, ")
                .append("invalid = ").append(invalid);
        binds.add(names);
        sql.append(", seq = excluded.seq, updated_at = now(), deleted_at = NULL")
                .append(groupsSet("r.properties || excluded.properties", binds))
                .append(" WHERE r.properties || excluded.properties IS DISTINCT FROM r.properties OR ").append(invalid)
                .append(" IS DISTINCT FROM r.invalid OR r.deleted_at IS NOT NULL RETURNING r.pk, r.seq, (xmax = 0) AS created), ")
                .append("q AS (INSERT INTO ").append(store.table("enrich_queue")).append(" (source, model, pk) ")
                .append("SELECT src, ?, m.pk FROM m CROSS JOIN unnest(?::text[]) AS src WHERE m.created ")
                .append("ON CONFLICT DO NOTHING) SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created), ")
                .append("coalesce(array_agg(pk), '{}'), coalesce(min(seq) FILTER (WHERE created), 0) FROM m");
        binds.add(names);
        binds.add(model);
        binds.add(secondarySources.toArray(String[]::new));
        return sql.toString();
    }

    private String updateSql(String[] names, List<Object> binds) {
        String records = store.table("records");
        String invalid = String.format(MERGED_INVALID, "nullif(s.inv, '{}'::jsonb)");
        String match = matchProperty == null ? "r.pk = s.pk"
                : "r.properties ->> " + Identifiers.literal(matchProperty) + " = s.pk";
        StringBuilder sql = new StringBuilder(propsSql(names.length)).append(", m AS (UPDATE ").append(records)
                .append(" AS r SET properties = r.properties || s.props, invalid = ").append(invalid);
        binds.add(names);
        sql.append(", seq = ").append(nextSeq()).append(", updated_at = now()")
                .append(groupsSet("r.properties || s.props", binds))
                .append(" FROM s WHERE r.model = ? AND ").append(match)
                .append(" AND r.deleted_at IS NULL AND (r.properties || s.props IS DISTINCT FROM r.properties OR ")
                .append(invalid).append(" IS DISTINCT FROM r.invalid) RETURNING r.pk) ");
        binds.add(model);
        binds.add(names);
        if (matchProperty == null) {
            // Records this page computed in full need no separate enrichment by this source any more.
            sql.append(", dq AS (DELETE FROM ").append(store.table("enrich_queue"))
                    .append(" q USING s WHERE q.source = ? AND q.pk = s.pk) ");
            binds.add(source.id());
        }
        return sql.append("SELECT 0, count(*), coalesce(array_agg(pk), '{}'), 0 FROM m").toString();
    }

    private final AnalyzePacer pacer;
    private GroupMembership membership;

    /**
     * Gives the records this source writes their group memberships in the same statement, so that the model's
     * group evaluation neither writes each of them a second time nor, while only such writers wrote, reads them.
     */
    public void computeGroups(GroupMembership membership) {
        this.membership = membership;
    }

    /** Keeps the store's statistics fresh while a run changes many records. */
    private void paceAnalyze(Written w) {
        if (pacer.add(w.created() + w.updated())) {
            store.analyze("records", "enrich_queue");
        }
    }

    /**
     * Merges the page and saves the cursor in one transaction.
     * @param done store work that must commit with the page (e.g. removing enrichment-queue entries), or null
     */
    public Written write(SourcePage page, Cursor newCursor, TransactionStep done) throws SQLException {
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                Written w = page.rows().isEmpty() ? new Written(0, 0, 0) : merge(c, page);
                if (done != null) {
                    done.run(c);
                }
                if (newCursor != null) {
                    cursors.save(c, source.id(), configHash, newCursor);
                }
                c.commit();
                paceAnalyze(w);
                return w;
            } catch (SQLException | RuntimeException e) {
                Transactions.rollback(c, e);
                throw e;
            }
        }
    }

    /** Work done on the store's connection inside the page's transaction. */
    @FunctionalInterface
    public interface TransactionStep {
        void run(Connection c) throws SQLException;
    }

    private Written merge(Connection c, SourcePage page) throws SQLException {
        ModelLock.acquire(c, model);
        long before = membership == null ? 0 : ModelLock.maxSeq(c, store, model);
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
        if (!primary) {
            // Statistics for the fresh rows, so the update joins through the records' index. A primary's insert
            // joins nothing: its conflicts are found by the key's index whatever the statistics say.
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE " + stage);
            }
        }
        String[] names = source.properties().stream().map(PropertyDefinition::name).toArray(String[]::new);
        Written written;
        String[] changed;
        Merge merge = merge(names);
        try (PreparedStatement ps = c.prepareStatement(merge.sql())) {
            int i = 1;
            for (Object b : merge.binds()) {
                if (b instanceof String[] array) {
                    ps.setArray(i++, c.createArrayOf("text", array));
                } else {
                    ps.setObject(i++, b);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                written = new Written(rs.getLong(1), rs.getLong(2), queuesNone() ? 0 : rs.getLong(4));
                changed = (String[]) rs.getArray(3).getArray();
            }
        }
        if (membership != null && changed.length > 0) {
            // Before enforce: the values it clears take new seqs without new memberships, for the evaluation.
            membership.evaluatedUpTo(c, before, ModelLock.maxSeq(c, store, model));
        }
        unique.enforce(c, changed);
        return written;
    }
}
