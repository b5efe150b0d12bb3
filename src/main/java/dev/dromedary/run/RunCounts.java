package dev.dromedary.run;

/** What one run did; imports fill the first four, exports the last five. */
public final class RunCounts {
    public long rowsRead;
    public long recordsCreated;
    public long recordsUpdated;
    public long rowsRejected;
    public long inserted;
    public long updated;
    public long deleted;
    public long skipped;
    public long failed;
    /** Changes the sync mode does not allow (not errors, never retried). */
    public long refused;

    @Override
    public String toString() {
        return "rowsRead=" + rowsRead + " created=" + recordsCreated + " updated=" + recordsUpdated + " rejected="
                + rowsRejected + " inserted=" + inserted + " updatedRows=" + updated + " deleted=" + deleted
                + " skipped=" + skipped + " refused=" + refused + " failed=" + failed;
    }
}
