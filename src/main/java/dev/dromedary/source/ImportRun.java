package dev.dromedary.source;

import dev.dromedary.run.Errors;
import dev.dromedary.run.ImportProgress;
import dev.dromedary.run.RunCounts;
import dev.dromedary.run.RunGate;
import dev.dromedary.run.RunHistory;
import dev.dromedary.run.WorkAhead;
import java.sql.SQLException;

/** The state of one import run, carried as an Exchange property: where the cursor stands and the counts. */
public final class ImportRun {
    final long runId;
    final String kind;
    Cursor cursor;
    String upperBound;
    long estimatedRows = -1;
    /** Secondary sources on a full schedule page over the model's records, not over the table. */
    boolean overRecords;
    /** For a first run paged over records: the table cursor to save with the last page. */
    Cursor finalCursor;
    /** Secondary sources whose first runs this primary run does in its own pages, with their cursors to save. */
    java.util.Map<TableImport, Cursor> firstRuns;
    boolean more = true;
    boolean finished;
    boolean released;
    final long startedNanos = System.nanoTime();
    long lastProgressNanos = startedNanos;
    public final RunCounts counts = new RunCounts();
    /** The next page, read while this one is written, from the cursor where this one ends. */
    final WorkAhead<Cursor, SourcePage> ahead = new WorkAhead<>();
    /**
     * Set for a primary table source: the model's exports may follow the run page by page, up to its first record
     * that a secondary source still has to fill in, instead of waiting for its end.
     */
    ImportProgress progress;

    ImportRun(long runId, String kind, Cursor cursor) {
        this.runId = runId;
        this.kind = kind;
        this.cursor = cursor;
    }

    /**
     * Records the run's end, then frees its gate, each once however often the end is reported. In that order: a
     * node taking the lock closes any run still recorded as running. False when the run had already ended.
     */
    boolean end(RunHistory runs, RunGate gate, Throwable error) throws SQLException {
        try {
            if (finished) {
                return false;
            }
            finished = true;
            ahead.cancel();
            runs.finish(runId, counts, Errors.describe(error));
            return true;
        } finally {
            if (progress != null) {
                progress.end();
            }
            if (!released) {
                released = true;
                try {
                    gate.leave();
                } finally {
                    leaveFirstRunGates();
                }
            }
        }
    }

    /** Frees the gates of the secondary sources whose first runs this run took on, if any; once. */
    void leaveFirstRunGates() {
        if (firstRuns != null) {
            java.util.Map<TableImport, Cursor> taken = firstRuns;
            firstRuns = null;
            taken.keySet().forEach(TableImport::leaveGate);
        }
    }

    public boolean hasMore() {
        return more;
    }

    /** What this run has committed so far, when exports may follow it (null when they must wait for its end). */
    public ImportProgress progress() {
        return progress;
    }

    public long runId() {
        return runId;
    }
}
