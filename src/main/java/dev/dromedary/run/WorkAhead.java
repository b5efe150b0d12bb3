package dev.dromedary.run;

import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The next step's read, done on another thread while this step writes (an import's next page, an export's next
 * plan), with the position it starts from. Only the step that starts from that position takes it: a step done
 * again after a failure starts from the last committed position and reads for itself.
 */
public final class WorkAhead<K, T> {
    private Future<T> work;
    private K from;

    /** The step's own work, done on the caller's thread. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    /** Remembers the work started ahead from {@code from}, cancelling any before it. */
    public void start(K from, Future<T> work) {
        cancel();
        this.from = from;
        this.work = work;
    }

    /** Whether work started ahead waits to be taken. */
    public boolean started() {
        return work != null;
    }

    /** The result of the work started ahead from {@code from}, or of {@code here} when none was. */
    public T takeOrDo(K from, Work<T> here) throws SQLException {
        T ahead = take(from);
        return ahead != null ? ahead : here.run();
    }

    /** The result of the work started from {@code from}, waiting for it if need be; null when none was. */
    public T take(K from) throws SQLException {
        Future<T> started = work;
        if (started == null) {
            return null;
        }
        if (!from.equals(this.from)) {
            cancel();
            return null;
        }
        work = null;
        this.from = null;
        try {
            return started.get();
        } catch (InterruptedException e) {
            started.cancel(true);
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the read done ahead", e);
        } catch (ExecutionException e) {
            // The read's own failure, as if it had been done here: the route's error handler judges it.
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new SQLException("the read done ahead failed", e.getCause());
        }
    }

    /**
     * Stops waiting for work still under way. Its statement runs on to its end (interrupting a JDBC call does not
     * cancel it), then its connection goes back to the pool.
     */
    public void cancel() {
        if (work != null) {
            work.cancel(true);
            work = null;
            from = null;
        }
    }
}
