package dev.dromedary.record;

import java.util.function.LongSupplier;

/**
 * Says when a run has changed enough of the record store to refresh its statistics: after 10,000 changes,
 * then 20,000, 40,000 and so on, so a table growing from empty is planned right without analyzing every page.
 * The first threshold is at least a tenth of the records the store already holds (autovacuum's default scale):
 * a small incremental run into a large store does not pay for sampling the whole table.
 */
public final class AnalyzePacer {
    private static final long FLOOR = 10_000;

    private final LongSupplier storedRecords;
    private long next = -1;
    private long total;

    /** @param storedRecords the store's record count as its statistics know it; asked once, when the floor is reached */
    public AnalyzePacer(LongSupplier storedRecords) {
        this.storedRecords = storedRecords;
    }

    /** Adds changes; true when the store should be analyzed now. */
    public synchronized boolean add(long changes) {
        total += Math.max(0, changes);
        if (total < FLOOR) {
            return false;
        }
        if (next < 0) {
            // Asked only now: below the floor the store's size makes no difference.
            next = Math.max(FLOOR, storedRecords.getAsLong() / 10);
        }
        if (total >= next) {
            next = total * 2;
            return true;
        }
        return false;
    }
}
