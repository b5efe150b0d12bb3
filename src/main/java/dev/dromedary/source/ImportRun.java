package dev.dromedary.source;

import dev.dromedary.run.RunCounts;

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
    boolean more = true;
    boolean finished;
    boolean released;
    final long startedNanos = System.nanoTime();
    long lastProgressNanos = startedNanos;
    public final RunCounts counts = new RunCounts();

    ImportRun(long runId, String kind, Cursor cursor) {
        this.runId = runId;
        this.kind = kind;
        this.cursor = cursor;
    }

    public boolean hasMore() {
        return more;
    }

    public long runId() {
        return runId;
    }
}
