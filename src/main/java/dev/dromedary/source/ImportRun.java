package dev.dromedary.source;

import dev.dromedary.run.RunCounts;

/** The state of one import run, carried as an Exchange property: where the cursor stands and the counts. */
public final class ImportRun {
    final long runId;
    Cursor cursor;
    boolean more = true;
    final long startedNanos = System.nanoTime();
    public final RunCounts counts = new RunCounts();

    ImportRun(long runId, Cursor cursor) {
        this.runId = runId;
        this.cursor = cursor;
    }

    public boolean hasMore() {
        return more;
    }

    public long runId() {
        return runId;
    }
}
