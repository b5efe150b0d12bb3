package dev.dromedary.source;

import dev.dromedary.run.Errors;
import dev.dromedary.run.RunCounts;
import dev.dromedary.run.RunGate;
import dev.dromedary.run.RunHistory;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

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
    /** The next page, being read while this one is written, and the cursor it starts from. */
    private Future<SourcePage> ahead;
    private Cursor aheadFrom;

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
            cancelReadAhead();
            runs.finish(runId, counts, Errors.describe(error));
            return true;
        } finally {
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

    /** Remembers the page being read ahead, from the given cursor. */
    void readingAhead(Cursor from, Future<SourcePage> page) {
        cancelReadAhead();
        this.aheadFrom = from;
        this.ahead = page;
    }

    /**
     * The page read ahead from {@code from}, waiting for it if need be; null when none was read from there (a
     * page written again after a failure starts from the committed cursor, not where the read-ahead began).
     */
    SourcePage readAhead(Cursor from) throws SQLException {
        Future<SourcePage> page = ahead;
        if (page == null) {
            return null;
        }
        if (!from.equals(aheadFrom)) {
            cancelReadAhead();
            return null;
        }
        ahead = null;
        aheadFrom = null;
        try {
            return page.get();
        } catch (InterruptedException e) {
            page.cancel(true);
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while reading the next page", e);
        } catch (ExecutionException e) {
            // The read's own failure, as if it had been read here: the route's error handler judges it.
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new SQLException("reading the next page failed", e.getCause());
        }
    }

    /** Stops a page still being read ahead; its connection goes back to the pool when the read returns. */
    void cancelReadAhead() {
        if (ahead != null) {
            ahead.cancel(true);
            ahead = null;
            aheadFrom = null;
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

    public long runId() {
        return runId;
    }
}
