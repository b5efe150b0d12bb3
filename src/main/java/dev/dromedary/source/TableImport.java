package dev.dromedary.source;

import dev.dromedary.record.RecordWriter;
import dev.dromedary.run.Errors;
import dev.dromedary.run.RunGate;
import dev.dromedary.run.RunHistory;
import dev.dromedary.run.RunLocks;
import dev.dromedary.sql.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one table source, page by page; each page and its cursor commit together. Per page: one scan statement
 * finds the rows past the cursor, and one GROUP BY per filter set computes the aggregated properties of the
 * page's keys. A secondary source's full run pages over the model's records instead, so a record whose rows
 * are all gone gets count 0 again; its {@link #enrich} step gives records a primary source just created their
 * properties.
 */
public final class TableImport implements SourceImport {
    private static final Logger LOG = LoggerFactory.getLogger(TableImport.class);
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final SourceDefinition source;
    private final DataSource sourceData;
    private final TableScan scan;
    private final PropertyAggregator aggregator;
    private final List<PropertyDefinition> direct;
    private final int[] directSlots;
    private final RecordWriter writer;
    private final CursorStore cursors;
    private final EnrichQueue queue;
    private final RunHistory runs;
    private final String configHash;
    private final boolean primary;
    private RecordConfirmer confirmer;
    private dev.dromedary.run.RunMetrics metrics;
    private final RunGate gate;
    private FirstImport firstImport;
    private ExecutorService readAhead;

    public TableImport(SourceDefinition source, TableShape shape, DataSource sourceData, RecordWriter writer,
                       CursorStore cursors, EnrichQueue queue, RunHistory runs, RunLocks locks, String configHash) {
        this.source = source;
        this.sourceData = sourceData;
        this.primary = shape.primary();
        this.writer = writer;
        this.cursors = cursors;
        this.queue = queue;
        this.runs = runs;
        this.gate = new RunGate(locks, "import", source.id());
        this.configHash = configHash;
        // A primary source's exact, unfiltered, single-valued properties come straight from the scanned row.
        List<PropertyDefinition> direct = new ArrayList<>();
        List<PropertyDefinition> aggregated = new ArrayList<>();
        Map<PropertyDefinition, Integer> slots = new IdentityHashMap<>();
        List<Integer> directSlots = new ArrayList<>();
        for (int i = 0; i < source.properties().size(); i++) {
            PropertyDefinition p = source.properties().get(i);
            slots.put(p, i);
            if (primary && p.aggregation() == Aggregation.EXACT && !p.array() && p.filters().isEmpty()) {
                direct.add(p);
                directSlots.add(i);
            } else {
                aggregated.add(p);
            }
        }
        this.direct = List.copyOf(direct);
        this.directSlots = directSlots.stream().mapToInt(Integer::intValue).toArray();
        this.scan = new TableScan(source, shape, this.direct);
        this.aggregator = new PropertyAggregator(source, shape, aggregated, slots);
    }

    public String id() {
        return source.id();
    }

    public boolean isPrimary() {
        return primary;
    }

    public void metrics(dev.dromedary.run.RunMetrics metrics) {
        this.metrics = metrics;
    }

    /** Reads each table page on this pool while the page before it is written (without one, in turn). */
    public void readAheadOn(ExecutorService pool) {
        this.readAhead = pool;
    }

    /** Lets this primary source's first import do the first runs of the given same-App secondary sources. */
    public void doFirstRunsOf(FirstImport firstImport) {
        this.firstImport = firstImport;
    }

    /** Re-checks the model's records after each run; a primary source's full schedules always do. */
    public void confirmWith(RecordConfirmer confirmer) {
        this.confirmer = confirmer;
    }

    public ImportRun begin() throws SQLException, InterruptedException {
        return gate.open(this::start);
    }

    private ImportRun start() throws SQLException {
        boolean incremental = source.schedule().incremental();
        Cursor stored = incremental ? cursors.load(source.id(), configHash) : Cursor.START;
        ImportRun run = new ImportRun(runs.start("import", source.id()), "import", stored);
        if (!incremental && !primary) {
            run.overRecords = true;
            return run;
        }
        try {
            locate(run, stored, incremental);
            if (firstImport != null && incremental && stored.isStart()) {
                run.firstRuns = firstImport.take(sourceData);
            }
            if (incremental && !primary && stored.isStart()) {
                // A secondary source's first run would aggregate each record once per page holding one of its
                // rows; paging over the records computes each once, then the cursor jumps to the newest row.
                run.overRecords = true;
                run.cursor = Cursor.START;
            }
            if (primary) {
                // Exports may follow the pages up to the first record still waiting for a secondary source's
                // properties: none when there is no secondary or this first import reads them all, else the first
                // left queued by an earlier run or created by this one. They never see a half-imported record.
                run.progress = new dev.dromedary.run.ImportProgress(run.runId);
                RecordWriter pages = run.firstRuns != null ? firstImport.writer() : writer;
                long queued = pages.queuesNone() ? 0 : pages.firstQueuedSeq();
                if (queued > 0) {
                    run.progress.incompleteFrom(queued);
                }
            }
        } catch (SQLException | RuntimeException e) {
            run.leaveFirstRunGates();
            // The run was recorded as started: it must not stay "running".
            runs.finish(run.runId, run.counts, Errors.describe(e));
            run.finished = true;
            throw e;
        }
        return run;
    }

    /** Where the run starts and ends, and how much it will read (from the source's clock and statistics). */
    private void locate(ImportRun run, Cursor stored, boolean incremental) throws SQLException {
        try (Connection c = sourceData.getConnection()) {
            c.setReadOnly(true);
            try {
                run.cursor = scan.startOf(c, stored);
                run.upperBound = scan.upperBound(c);
                run.estimatedRows = scan.estimateRows(c, run.cursor, run.upperBound);
                if (incremental && !primary && stored.isStart()) {
                    run.finalCursor = scan.highest(c, run.upperBound);
                }
            } finally {
                Transactions.endReadOnly(c);
            }
        }
        LOG.info("Import {} started: {} from {}, about {} rows to scan", source.id(),
                incremental ? "incremental" : "full", run.cursor.isStart() ? "the beginning" : run.cursor,
                run.estimatedRows);
    }

    public SourcePage read(ImportRun run) throws SQLException {
        gate.verify(run.runId);
        if (run.overRecords) {
            EnrichQueue.Batch batch = queue.records(run.cursor.key(), source.schedule().pageSize());
            SourcePage page = pageFor(batch.mappedValues(), List.of(), batch.recordKeys().size(), 0, null, false);
            String lastKey = batch.recordKeys().isEmpty() ? run.cursor.key()
                    : batch.recordKeys().get(batch.recordKeys().size() - 1);
            return new SourcePage(page.rows(), page.rowsRead(), 0, new Cursor(null, lastKey),
                    batch.recordKeys().size() == source.schedule().pageSize());
        }
        SourcePage page = run.ahead.takeOrDo(run.cursor, () -> readTable(run.cursor, run.upperBound, run.firstRuns));
        if (page.more() && readAhead != null) {
            // The next page is read while this one is written: its start is known now, and the cursor still moves
            // only with each page's commit, in order.
            Cursor next = page.last();
            String upper = run.upperBound;
            Map<TableImport, Cursor> firstRuns = run.firstRuns;
            run.ahead.start(next, readAhead.submit(() -> readTable(next, upper, firstRuns)));
        }
        return page;
    }

    private SourcePage readTable(Cursor from, String upperBound, Map<TableImport, Cursor> firstRuns) throws SQLException {
        try (Connection c = sourceData.getConnection()) {
            c.setReadOnly(true);
            try {
                TableScan.ScannedPage s = scan.read(c, from, upperBound);
                SourcePage page = pageFor(c, s.keys(), s.directValues(), s.rowsRead(), s.nullKeys(), s.last(), s.more());
                return firstRuns == null ? page : FirstImport.widen(c, page, firstRuns.keySet());
            } finally {
                Transactions.endReadOnly(c);
            }
        }
    }

    /** This source's values for the given keys, read on the caller's connection (a first import's page). */
    SourcePage valuesFor(Connection c, List<String> keys) throws SQLException {
        return pageFor(c, keys, List.of(), 0, 0, null, false);
    }

    /** Where this secondary source's first run would leave its cursor: its newest row, up to the clock. */
    Cursor newestRow(Connection c) throws SQLException {
        return scan.highest(c, scan.upperBound(c));
    }

    /** Takes this source's run gate if no run of it is under way; its cursor is then still what it was. */
    boolean tryEnterGate() throws SQLException {
        return gate.tryEnter();
    }

    void leaveGate() {
        gate.leave();
    }

    boolean cursorAtStart() throws SQLException {
        return cursors.load(source.id(), configHash).isStart();
    }

    /** Saves where this secondary source's first run, done by its primary's first import, leaves its cursor. */
    void saveFirstRunCursor(Connection c, Cursor cursor) throws SQLException {
        cursors.save(c, source.id(), configHash, cursor);
    }

    private SourcePage pageFor(List<String> keys, List<String[]> directValues, int read, int rejected, Cursor last,
                               boolean more) throws SQLException {
        try (Connection c = sourceData.getConnection()) {
            c.setReadOnly(true);
            try {
                return pageFor(c, keys, directValues, read, rejected, last, more);
            } finally {
                Transactions.endReadOnly(c);
            }
        }
    }

    /** Joins direct and aggregated values per distinct key (a key's last row wins for direct values). */
    private SourcePage pageFor(Connection c, List<String> keys, List<String[]> directValues, int read, int rejected,
                               Cursor last, boolean more) throws SQLException {
        int width = source.properties().size();
        Map<String, Object[]> raw = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (key == null) {
                continue;
            }
            Object[] row = raw.computeIfAbsent(key, k -> new Object[width]);
            if (!direct.isEmpty()) {
                String[] v = directValues.get(i);
                for (int j = 0; j < directSlots.length; j++) {
                    row[directSlots[j]] = v[j];
                }
            }
        }
        if (!aggregator.isEmpty()) {
            Map<String, Object[]> aggregated = aggregator.aggregate(c, new ArrayList<>(raw.keySet()), width);
            for (Map.Entry<String, Object[]> e : raw.entrySet()) {
                Object[] agg = aggregated.get(e.getKey());
                if (agg != null) {
                    for (int i = 0; i < width; i++) {
                        if (agg[i] != null) {
                            e.getValue()[i] = agg[i];
                        }
                    }
                }
            }
        }
        List<SourcePage.Row> rows = new ArrayList<>(raw.size());
        raw.forEach((key, values) -> rows.add(RowConverter.convert(source.properties(), key, values)));
        return new SourcePage(rows, read, rejected, last, more);
    }

    /** Commits the page's records and, with them, the cursor past the page. */
    public void store(ImportRun run, SourcePage page) throws SQLException {
        boolean moved = page.rowsRead() > 0;
        Cursor save = null;
        if (run.finalCursor != null) {
            // Paging over records: the table cursor moves once, with the last page.
            if (!page.more() && !run.finalCursor.isStart()) {
                save = run.finalCursor;
            }
        } else if (source.schedule().incremental() && moved) {
            save = page.last();
        }
        RecordWriter target = writer;
        RecordWriter.TransactionStep done = null;
        java.util.Map<TableImport, Cursor> firstRuns = run.firstRuns;
        if (firstRuns != null) {
            // Written with the secondaries' values only while this run holds their locks; their cursors commit with
            // the page that ends the run, when every record has their values.
            for (TableImport s : firstRuns.keySet()) {
                s.gate.verify(run.runId);
            }
            target = firstImport.writer();
            done = page.more() ? null : c -> FirstImport.saveCursors(c, firstRuns);
        }
        long[] committedSeq = {0};
        if (run.progress != null) {
            // Read in the page's transaction, holding the model's lock: once it commits, no change up to this seq
            // is in flight, so exports following the run may go that far.
            RecordWriter.TransactionStep before = done;
            RecordWriter pageWriter = target;
            done = c -> {
                if (before != null) {
                    before.run(c);
                }
                committedSeq[0] = pageWriter.committedSeqAfter(c);
            };
        }
        RecordWriter.Written w;
        try {
            w = target.write(page, save, done);
        } catch (SQLException | RuntimeException e) {
            if (run.progress != null && !target.queuesNone()) {
                // The commit may have happened with its acknowledgement lost: a retried page would then find its
                // records created already and not say which of them wait for a secondary. Follow no further.
                run.progress.incompleteFrom(run.progress.committedSeq() + 1);
            }
            throw e;
        }
        if (run.progress != null) {
            if (w.firstQueued() > 0) {
                run.progress.incompleteFrom(w.firstQueued());
            }
            run.progress.committed(committedSeq[0]);
        }
        if (moved) {
            run.cursor = page.last();
        }
        run.more = page.more();
        count(run, page, w);
    }

    private void count(ImportRun run, SourcePage page, RecordWriter.Written w) {
        run.counts.rowsRead += page.rowsRead();
        run.counts.rowsRejected += page.rowsRejected();
        run.counts.recordsCreated += w.created();
        run.counts.recordsUpdated += w.updated();
        long now = System.nanoTime();
        if (now - run.lastProgressNanos > PROGRESS_EVERY_NANOS) {
            run.lastProgressNanos = now;
            double secs = (now - run.startedNanos) / 1e9;
            double rate = run.counts.rowsRead / Math.max(secs, 0.001);
            String left = run.estimatedRows > 0 && rate > 0
                    ? String.format(", about %d s left", Math.max(0, Math.round((run.estimatedRows - run.counts.rowsRead) / rate)))
                    : "";
            LOG.info("Import {}: {} rows read of about {}, {} records created, {} updated, {} rows/s{}", source.id(),
                    run.counts.rowsRead, run.estimatedRows, run.counts.recordsCreated, run.counts.recordsUpdated,
                    Math.round(rate), left);
        }
    }

    /** After the pages: records whose primary row is gone are deleted (confirmRecords, full schedules). */
    public void confirm(ImportRun run) throws SQLException {
        if (confirmer != null) {
            run.counts.deleted += confirmer.confirm();
        }
    }

    /** How far a timestamp cursor is behind the clock (null for other cursors). */
    private static Double lagSeconds(Cursor cursor) {
        if (cursor == null || cursor.value() == null) {
            return null;
        }
        var v = dev.dromedary.record.ValueConverter.convert(dev.dromedary.record.PropertyType.TIMESTAMP, cursor.value());
        if (v.value() == null || !cursor.value().matches("^\\d{4}-\\d{2}-\\d{2}.*")) {
            return null;
        }
        return (System.currentTimeMillis() - java.time.Instant.parse(v.value()).toEpochMilli()) / 1000.0;
    }

    /** Starts the "properties" step: records created by the primary source, waiting for this source's values. */
    public ImportRun beginEnrich() throws SQLException, InterruptedException {
        return gate.open(() -> new ImportRun(runs.start("import", RunHistory.enrichName(source.id())), "enrich", Cursor.START));
    }

    /** One batch of queued records: their properties and their removal from the queue commit together. */
    public void enrichBatch(ImportRun run) throws SQLException {
        gate.verify(run.runId);
        EnrichQueue.Batch batch = queue.next(source.schedule().pageSize());
        List<String> present = new ArrayList<>();
        for (String v : batch.mappedValues()) {
            if (v != null) {
                present.add(v);
            }
        }
        SourcePage page = pageFor(present, List.of(), batch.recordKeys().size(), 0, null, false);
        RecordWriter.Written w = writer.write(page, null, c -> queue.remove(c, batch.recordKeys()));
        run.more = batch.recordKeys().size() == source.schedule().pageSize();
        count(run, page, w);
    }

    public void finish(ImportRun run, Throwable error) throws SQLException {
        if (run == null) {
            LOG.error("Import {} could not start: {}", source.id(), error == null ? "" : Errors.describe(error));
            return;
        }
        if (!run.finished && error == null && !primary && (run.overRecords || run.kind.equals("enrich"))
                && run.counts.rowsRead >= 10_000) {
            // A run over many records emptied the enrichment queue of as many entries (it only logs a failure).
            queue.vacuum();
        }
        if (!run.end(runs, gate, error)) {
            return;
        }
        double secs = (System.nanoTime() - run.startedNanos) / 1e9;
        if (metrics != null && run.kind.equals("import")) {
            metrics.imported(source.id(), run.counts, secs, error == null, lagSeconds(run.cursor));
        }
        String name = run.kind.equals("enrich") ? source.id() + " (properties of new records)" : source.id();
        if (error == null) {
            LOG.info("Import {} succeeded in {} s: {} rows read, {} records created, {} updated, {} deleted, "
                    + "{} rows rejected", name, String.format("%.3f", secs), run.counts.rowsRead,
                    run.counts.recordsCreated, run.counts.recordsUpdated, run.counts.deleted, run.counts.rowsRejected);
        } else {
            LOG.error("Import {} failed after {} s: {}", name, String.format("%.3f", secs), Errors.describe(error));
        }
    }
}
