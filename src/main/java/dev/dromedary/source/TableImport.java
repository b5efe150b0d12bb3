package dev.dromedary.source;

import dev.dromedary.record.RecordWriter;
import dev.dromedary.run.RunHistory;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one primary table source: page by page, each page and its cursor committed together. */
public final class TableImport {
    private static final Logger LOG = LoggerFactory.getLogger(TableImport.class);
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final SourceDefinition source;
    private final TablePageReader reader;
    private final RecordWriter writer;
    private final CursorStore cursors;
    private final RunHistory runs;
    private final String configHash;
    private long lastProgress;

    public TableImport(SourceDefinition source, TablePageReader reader, RecordWriter writer, CursorStore cursors,
                       RunHistory runs, String configHash) {
        this.source = source;
        this.reader = reader;
        this.writer = writer;
        this.cursors = cursors;
        this.runs = runs;
        this.configHash = configHash;
    }

    public String id() {
        return source.id();
    }

    public ImportRun begin() throws SQLException {
        Cursor start = source.schedule().incremental() ? cursors.load(source.id(), configHash) : Cursor.START;
        lastProgress = System.nanoTime();
        return new ImportRun(runs.start("import", source.id()), start);
    }

    public SourcePage read(ImportRun run) throws SQLException {
        return reader.read(run.cursor);
    }

    /** Commits the page's records and, with them, the cursor past the page. */
    public void store(ImportRun run, SourcePage page) throws SQLException {
        Cursor next = new Cursor(page.lastValue(), page.lastKey());
        boolean moved = page.rowsRead() > 0;
        RecordWriter.Written w = writer.write(page, source.schedule().incremental() && moved ? next : null);
        if (moved) {
            run.cursor = next;
        }
        run.more = page.more();
        run.counts.rowsRead += page.rowsRead();
        run.counts.rowsRejected += page.rowsRejected();
        run.counts.recordsCreated += w.created();
        run.counts.recordsUpdated += w.updated();
        long now = System.nanoTime();
        if (now - lastProgress > PROGRESS_EVERY_NANOS) {
            lastProgress = now;
            double secs = (now - run.startedNanos) / 1e9;
            LOG.info("Import {}: {} rows read, {} records created, {} updated, {} rows/s", source.id(),
                    run.counts.rowsRead, run.counts.recordsCreated, run.counts.recordsUpdated,
                    Math.round(run.counts.rowsRead / Math.max(secs, 0.001)));
        }
    }

    public void finish(ImportRun run, Throwable error) throws SQLException {
        runs.finish(run.runId, run.counts, error == null ? null : String.valueOf(error.getMessage()));
        double secs = (System.nanoTime() - run.startedNanos) / 1e9;
        if (error == null) {
            LOG.info("Import {} succeeded in {} s: {}", source.id(), String.format("%.3f", secs), run.counts);
        } else {
            LOG.error("Import {} failed after {} s: {}", source.id(), String.format("%.3f", secs), error.getMessage());
        }
    }
}
