package dev.dromedary.source;

import java.sql.SQLException;
import java.util.concurrent.Semaphore;

/** Lets one run of a source through at a time, whoever starts it: its schedule, a refresh query, --once. */
final class RunGate {
    private final Semaphore permit = new Semaphore(1);

    interface Start {
        ImportRun run() throws SQLException;
    }

    /** Waits for the source to be free, then starts a run; a start that fails frees it again. */
    ImportRun open(Start start) throws SQLException, InterruptedException {
        permit.acquire();
        try {
            return start.run();
        } catch (SQLException | RuntimeException e) {
            permit.release();
            throw e;
        }
    }

    /** Frees the source once per run, however often the run's end is reported. */
    void close(ImportRun run) {
        if (!run.released) {
            run.released = true;
            permit.release();
        }
    }
}
