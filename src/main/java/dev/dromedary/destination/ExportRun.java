package dev.dromedary.destination;

import dev.dromedary.run.ImportProgress;
import dev.dromedary.run.RunCounts;
import dev.dromedary.run.WorkAhead;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one export run, carried as an Exchange property through the export route: the seq window it
 * covers, the open destination transaction of the current batch, and the counts.
 */
public final class ExportRun {
    final long runId;
    /** Every record change up to this seq is committed; it moves only while the run follows an import. */
    long upperSeq;
    long lastSeq;
    long batchLastSeq;
    Connection transaction;
    boolean hasMore;
    final List<PlannedChange> written = new ArrayList<>();
    final List<String> deletedKeys = new ArrayList<>();
    /** Records the destination refused in this batch: record key → reason. */
    final java.util.Map<String, String> failures = new java.util.LinkedHashMap<>();
    boolean finished;
    /**
     * Whether rows of records never sent to the destination go in by COPY: until a COPY is refused (one such row
     * was there already), after which the run upserts them.
     */
    boolean copyNew = true;
    final long startedNanos = System.nanoTime();
    public final RunCounts counts = new RunCounts();
    /**
     * The next batch's plan, made while this one is written, for the seq window from where this one ends up to the
     * run's upper bound then, or, for a run following an import, up to what the import had committed then (see
     * {@link #aheadUpper}). It is used only for that same window.
     */
    final WorkAhead<SeqWindow, ExportPlanner.BatchPlan> ahead = new WorkAhead<>();

    /**
     * The plan of the batch being written (up to {@link #upperSeq}), which is also the batch in flight while the next
     * plan is made ahead: a plan made ahead that read one of its records is not used.
     */
    ExportPlanner.BatchPlan inFlight;

    /**
     * For a run following an import: the bound of a plan made ahead past {@link #upperSeq}, from pages the import
     * committed while this batch was planned or written. It is the run's next bound, so that plan is the one used.
     */
    long aheadUpper;

    /** The records a plan covers: seq above {@code from}, up to {@code upper}. */
    record SeqWindow(long from, long upper) {
    }
    /** The import this run follows, page by page, or null. */
    final ImportProgress following;
    /** Whether the last batch committed reached {@link #upperSeq}: a following run then waits for more. */
    boolean reachedUpper;
    boolean batchReachesUpper;

    ExportRun(long runId, long fromSeq, long upperSeq) {
        this(runId, fromSeq, upperSeq, null);
    }

    ExportRun(long runId, long fromSeq, long upperSeq, ImportProgress following) {
        this.runId = runId;
        this.lastSeq = fromSeq;
        this.upperSeq = upperSeq;
        this.following = following;
    }

    public boolean hasMore() {
        return hasMore;
    }

    public long runId() {
        return runId;
    }

    /**
     * Forgets a batch that did not finish: rolls back and closes its destination transaction if it is still open,
     * and drops what it wrote or set aside, also when only the store's commit after the destination's failed.
     */
    public void abandonBatch() {
        written.clear();
        deletedKeys.clear();
        failures.clear();
        if (transaction == null) {
            return;
        }
        try {
            transaction.rollback();
            transaction.close();
        } catch (SQLException ignored) {
            // the connection is already broken; the pool discards it
        }
        transaction = null;
    }
}
