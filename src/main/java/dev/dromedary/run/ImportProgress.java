package dev.dromedary.run;

import java.time.Duration;

/**
 * What an import still running has committed, for the exports that follow it: the seq up to which every change of
 * the model's records is committed and complete, and whether the import has ended. The exports wait on it instead
 * of polling the store, and need no lock on the model: the import read the seq inside each page's transaction,
 * under {@code ModelLock}. A record still waiting for a secondary source's properties is not complete: the seq
 * handed over stays below the first such record for the rest of the import.
 */
public final class ImportProgress {
    private final long importRunId;
    private long commits;
    private long committedSeq;
    private boolean ended;
    private long incompleteFrom = Long.MAX_VALUE;

    public ImportProgress(long importRunId) {
        this.importRunId = importRunId;
    }

    /** The run id of the import. */
    public long importRunId() {
        return importRunId;
    }

    /**
     * A record at {@code seq} waits for a secondary source's properties: no seq from there on is handed over,
     * whatever commits later. Called before the page that holds the record is reported committed.
     */
    public synchronized void incompleteFrom(long seq) {
        incompleteFrom = Math.min(incompleteFrom, seq);
    }

    /** A page is committed, and with it every change of the model's records up to {@code seq}. */
    public synchronized void committed(long seq) {
        commits++;
        committedSeq = Math.max(committedSeq, Math.min(seq, incompleteFrom - 1));
        notifyAll();
    }

    /**
     * Waits until the import has handed over a seq above {@code seq} (true), or has ended without doing so (false).
     */
    public synchronized boolean awaitPast(long seq) throws InterruptedException {
        while (committedSeq <= seq && !ended) {
            wait();
        }
        return committedSeq > seq;
    }

    /**
     * The highest seq handed over: no change of the model's records at or below it is still in flight, and no
     * record at or below it waits for a secondary source.
     */
    public synchronized long committedSeq() {
        return committedSeq;
    }

    /** The import ended, however it ended; nothing more will be committed by it. */
    public synchronized void end() {
        ended = true;
        notifyAll();
    }

    public synchronized boolean ended() {
        return ended;
    }

    /** How many pages are committed so far: pass it to {@link #awaitAfter}. */
    public synchronized long mark() {
        return commits;
    }

    /**
     * Waits until a page is committed after {@code mark} or the import ends, at most {@code max}: the caller then
     * looks at the progress again, so a wait cut short costs only a look.
     */
    public synchronized void awaitAfter(long mark, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        long left;
        while (commits == mark && !ended && (left = deadline - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
