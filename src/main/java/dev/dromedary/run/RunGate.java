package dev.dromedary.run;

import java.sql.SQLException;
import java.util.concurrent.Semaphore;

/**
 * Lets one run of a source or destination through at a time, whoever starts it (its schedule, a refresh query,
 * another source's run, --once): in this process by a semaphore, across processes by a {@link RunLocks} lock.
 */
public final class RunGate {
    private final Semaphore permit = new Semaphore(1);
    private final RunLocks locks;
    private final String kind;
    private final String name;
    private volatile RunLocks.Held held;

    public RunGate(RunLocks locks, String kind, String name) {
        this.locks = locks;
        this.kind = kind;
        this.name = name;
    }

    public interface Start<T> {
        T run() throws SQLException;
    }

    /** Waits until the run is free here and on every other node, then starts it; a failed start frees it again. */
    public <T> T open(Start<T> start) throws SQLException, InterruptedException {
        permit.acquire();
        try {
            held = locks.acquire(kind, name);
            return start.run();
        } catch (SQLException | InterruptedException | RuntimeException e) {
            leave();
            throw e;
        }
    }

    /**
     * Starts the run only if it is free here and on every other node now; null when it is not, or when
     * {@code start} finds, holding the gate, that there is nothing to run (it returns null; the gate is freed).
     */
    public <T> T tryOpen(Start<T> start) throws SQLException {
        if (!tryEnter()) {
            return null;
        }
        try {
            T run = start.run();
            if (run == null) {
                leave();
            }
            return run;
        } catch (SQLException | RuntimeException e) {
            leave();
            throw e;
        }
    }

    /** Takes the gate only if it is free here and on every other node now: true when taken (then {@link #leave}). */
    public boolean tryEnter() throws SQLException {
        if (!permit.tryAcquire()) {
            return false;
        }
        try {
            held = locks.tryAcquire(kind, name);
        } finally {
            if (held == null) {
                permit.release();
            }
        }
        return held != null;
    }

    /** Fails when the cross-process lock was lost and cannot safely be taken again (see {@link RunLocks.Held}). */
    public void verify(long runId) throws SQLException {
        RunLocks.Held h = held;
        if (h != null) {
            h.verify(runId);
        }
    }

    /** Frees the run; callers call it once per opened run. */
    public void leave() {
        try {
            if (held != null) {
                held.close();
            }
        } finally {
            held = null;
            permit.release();
        }
    }
}
