package dev.dromedary.source;

import dev.dromedary.record.RecordStore;
import dev.dromedary.record.RecordWriter;
import dev.dromedary.sql.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary source's first import into a model with no records, doing the first runs of its secondary sources in
 * the same pages: each page reads the secondaries' values for its keys on the same connection, and every record is
 * written once with all its properties, instead of once per source plus an enrichment-queue entry per secondary.
 *
 * <p>It applies to incremental table secondaries in the primary's App that map the model's primary key and have
 * never run. The run holds their run gates, so none of them runs meanwhile. Their cursors are their newest rows as
 * they stood before the first page was read, and commit with the run's last page: every record then holds values
 * read after those rows, and later rows are read again by the secondaries' own next runs (the merge is idempotent).
 * Anything else (a secondary that has run or is running, records already in the store) takes the usual path: new
 * records are queued for each secondary's properties step.
 */
public final class FirstImport {
    private static final Logger LOG = LoggerFactory.getLogger(FirstImport.class);

    private final String primary;
    private final List<TableImport> secondaries;
    private final RecordWriter writer;
    private final RecordStore store;
    private final String model;

    /**
     * @param writer writes the primary's properties followed by each secondary's, in the order of
     *               {@code secondaries}, and queues new records only for the model's other secondary sources
     */
    public FirstImport(String primary, List<TableImport> secondaries, RecordWriter writer, RecordStore store,
                       String model) {
        this.primary = primary;
        this.secondaries = List.copyOf(secondaries);
        this.writer = writer;
        this.store = store;
        this.model = model;
    }

    RecordWriter writer() {
        return writer;
    }

    /**
     * Takes the secondaries' run gates and reads where their cursors will stand.
     * @return the secondaries with their cursors, or null when this run cannot do their first runs (gates left free)
     */
    Map<TableImport, Cursor> take(DataSource sourceData) throws SQLException {
        if (hasRecords()) {
            return null;
        }
        Map<TableImport, Cursor> taken = new LinkedHashMap<>();
        boolean done = false;
        try {
            for (TableImport s : secondaries) {
                if (!s.tryEnterGate()) {
                    LOG.info("Import {}: secondary source {} is running (on this node or another), so its properties "
                            + "are not computed with this first import", primary, s.id());
                    return null;
                }
                taken.put(s, Cursor.START);
                if (!s.cursorAtStart()) {
                    return null;
                }
            }
            try (Connection c = sourceData.getConnection()) {
                c.setReadOnly(true);
                try {
                    for (TableImport s : secondaries) {
                        taken.put(s, s.newestRow(c));
                    }
                } finally {
                    Transactions.endReadOnly(c);
                }
            }
            done = true;
            LOG.info("Import {}: first import of model {}; each page also computes the properties of {}, whose "
                    + "first runs this run does", primary, model, taken.keySet().stream().map(TableImport::id).toList());
            return taken;
        } finally {
            if (!done) {
                taken.keySet().forEach(TableImport::leaveGate);
            }
        }
    }

    private boolean hasRecords() throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM " + store.table("records")
                     + " WHERE model = ? AND deleted_at IS NULL)")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The primary's page with each secondary's values for its keys appended to every row. */
    static SourcePage widen(Connection c, SourcePage page, Iterable<TableImport> secondaries) throws SQLException {
        List<String> keys = new ArrayList<>(page.rows().size());
        page.rows().forEach(r -> keys.add(r.key()));
        List<Map<String, SourcePage.Row>> parts = new ArrayList<>();
        for (TableImport s : secondaries) {
            Map<String, SourcePage.Row> byKey = new HashMap<>(keys.size() * 2);
            s.valuesFor(c, keys).rows().forEach(r -> byKey.put(r.key(), r));
            parts.add(byKey);
        }
        List<SourcePage.Row> rows = new ArrayList<>(page.rows().size());
        for (SourcePage.Row row : page.rows()) {
            // One array per row, filled in place: built through lists, widening was a tenth of an initial sync's
            // garbage (JFR).
            SourcePage.Row[] own = new SourcePage.Row[parts.size()];
            int width = row.values().length;
            boolean anyInvalid = row.invalid() != null;
            for (int i = 0; i < own.length; i++) {
                own[i] = parts.get(i).get(row.key());
                width += own[i].values().length;
                anyInvalid |= own[i].invalid() != null;
            }
            String[] values = Arrays.copyOf(row.values(), width);
            String[] invalid = anyInvalid ? new String[width] : null;
            copyInvalid(row, invalid, 0);
            int at = row.values().length;
            for (SourcePage.Row r : own) {
                System.arraycopy(r.values(), 0, values, at, r.values().length);
                copyInvalid(r, invalid, at);
                at += r.values().length;
            }
            rows.add(new SourcePage.Row(row.key(), values, invalid));
        }
        return new SourcePage(rows, page.rowsRead(), page.rowsRejected(), page.last(), page.more());
    }

    private static void copyInvalid(SourcePage.Row from, String[] invalid, int at) {
        if (invalid != null && from.invalid() != null) {
            System.arraycopy(from.invalid(), 0, invalid, at, from.invalid().length);
        }
    }

    /** Inside the transaction of the run's last page: the secondaries' first runs are done. */
    static void saveCursors(Connection c, Map<TableImport, Cursor> firstRuns) throws SQLException {
        for (Map.Entry<TableImport, Cursor> e : firstRuns.entrySet()) {
            // An empty table has no newest row: the secondary's own first run then finds out for itself.
            if (!e.getValue().isStart()) {
                e.getKey().saveFirstRunCursor(c, e.getValue());
            }
        }
    }
}
