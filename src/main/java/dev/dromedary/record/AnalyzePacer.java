package dev.dromedary.record;

/**
 * Says when a run has changed enough of the record store to refresh its statistics: after 10,000 changes,
 * then 20,000, 40,000 and so on, so a table growing from empty is planned right without analyzing every page.
 */
public final class AnalyzePacer {
    private long next = 10_000;
    private long total;

    /** Adds changes; true when the store should be analyzed now. */
    public boolean add(long changes) {
        total += changes;
        if (total >= next) {
            next = total * 2;
            return true;
        }
        return false;
    }
}
