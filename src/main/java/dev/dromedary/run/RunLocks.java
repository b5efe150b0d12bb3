package dev.dromedary.run;

import dev.dromedary.record.RecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a source or destination at a time across every process sharing the record store: a session-level
 * advisory lock, held on a store connection of its own for as long as the run. If the process dies, its
 * connection closes and PostgreSQL frees the lock, so a dead node never blocks the others. The connections come
 * from a pool of their own with one per source and destination, so held locks never starve the runs' work.
 */
public final class RunLocks {
    private static final Logger LOG = LoggerFactory.getLogger(RunLocks.class);
    private static final long POLL_MILLIS = 250;
    private static final long WAIT_LOG_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** The runs a lock covers: a source's or destination's own, and a source's properties step. */
    private static final String OF_THIS_LOCK = "kind = ? AND (name = ? OR name = ? || '" + RunHistory.ENRICH_SUFFIX + "')";

    private final RecordStore store;
    private final DataSource connections;

    /** @param connections connections to the store's database, at least one per lock held at once */
    public RunLocks(RecordStore store, DataSource connections) {
        this.store = store;
        this.connections = connections;
    }

    /** A held lock; closing it frees the lock and returns the connection. */
    public final class Held implements AutoCloseable {
        private Connection c;
        private final String key;
        private final String kind;
        private final String name;

        private Held(Connection c, String key, String kind, String name) {
            this.c = c;
            this.key = key;
            this.kind = kind;
            this.name = name;
        }

        /**
         * Checked before each page or batch. When the lock's session is gone (terminated, timed out, network),
         * the lock went with it: it is taken again only if it is free and no run of this name started since
         * {@code runId}; otherwise another node may be doing the same work, and the run stops.
         */
        public void verify(long runId) throws SQLException {
            if (c.isValid(5)) {
                return;
            }
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
            Connection fresh = connections.getConnection();
            boolean ok = false;
            try {
                keepAlive(fresh);
                ok = tryLock(fresh, key) && !startedSince(fresh, kind, name, runId);
                if (!ok) {
                    throw new SQLException("the run lock of " + kind + " " + name + " was lost with its connection and "
                            + "another run may have started; this run stops so that no two nodes do the same work "
                            + "(the next run resumes from the committed cursor)");
                }
                LOG.warn("{} {}: the run lock's connection was lost; the lock was free and is held again", kind, name);
                c = fresh;
            } finally {
                if (!ok) {
                    try (fresh) {
                        unlockAll(fresh);
                    } catch (SQLException ignored) {
                        // the pool discards a broken connection
                    }
                }
            }
        }

        @Override
        public void close() {
            try (Connection held = c) {
                unlockAll(held);
            } catch (SQLException e) {
                // The session is gone, and its lock with it; the pool discards a broken connection.
                LOG.debug("Releasing run lock of {} {}: {}", kind, name, e.getMessage());
            }
        }
    }

    /**
     * Waits until no other process runs {@code kind}/{@code name}, then holds the lock. Runs of this name still
     * recorded as running were left by a process that died: holding the lock proves it, so they are closed.
     */
    public Held acquire(String kind, String name) throws SQLException, InterruptedException {
        return lock(kind, name, true);
    }

    /** Holds the lock if no other process runs {@code kind}/{@code name} now; null (without waiting) if one does. */
    public Held tryAcquire(String kind, String name) throws SQLException {
        try {
            return lock(kind, name, false);
        } catch (InterruptedException e) {
            throw new IllegalStateException("not reached: a lock taken without waiting never sleeps", e);
        }
    }

    private Held lock(String kind, String name, boolean wait) throws SQLException, InterruptedException {
        String key = store.schema() + ":" + kind + ":" + name;
        Connection c = connections.getConnection();
        try {
            keepAlive(c);
            long since = System.nanoTime();
            long logged = 0;
            // Polled, not blocking in the server: a stopping node's thread can be interrupted while it waits.
            while (!tryLock(c, key)) {
                if (!wait) {
                    // It holds no lock: nothing to release, and a failing close must not fail the caller.
                    try {
                        c.close();
                    } catch (SQLException ignored) {
                        // the pool discards a broken connection
                    }
                    return null;
                }
                if (logged == 0 || System.nanoTime() - logged > WAIT_LOG_NANOS) {
                    logged = System.nanoTime();
                    LOG.info("{} {} is running on node {}; waiting for it to finish ({} s so far)", kind, name,
                            runningOn(c, kind, name), TimeUnit.NANOSECONDS.toSeconds(logged - since));
                }
                Thread.sleep(POLL_MILLIS);
            }
            closeAbandoned(c, kind, name);
            return new Held(c, key, kind, name);
        } catch (SQLException | InterruptedException | RuntimeException e) {
            // Never hand a connection that may hold the lock back to the pool.
            try (c) {
                unlockAll(c);
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** An idle lock session must outlive the run: no idle_session_timeout (PostgreSQL 14+) may end it. */
    private static void keepAlive(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF current_setting('server_version_num')::int >= 140000 THEN "
                    + "PERFORM set_config('idle_session_timeout', '0', false); END IF; END $$");
        }
    }

    private static void unlockAll(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_unlock_all()");
        }
    }

    private static boolean tryLock(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private String runningOn(Connection c, String kind, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(node, 'unknown') FROM " + store.table("runs")
                + " WHERE " + OF_THIS_LOCK + " AND status = 'running' "
                + "ORDER BY id DESC LIMIT 1")) {
            bindLock(ps, kind, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "unknown";
            }
        }
    }

    /** Binds {@link #OF_THIS_LOCK}'s parameters, the first three of the statement. */
    private static void bindLock(PreparedStatement ps, String kind, String name) throws SQLException {
        ps.setString(1, kind);
        ps.setString(2, name);
        ps.setString(3, name);
    }

    private boolean startedSince(Connection c, String kind, String name, long runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM " + store.table("runs")
                + " WHERE " + OF_THIS_LOCK + " AND id > ?)")) {
            bindLock(ps, kind, name);
            ps.setLong(4, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void closeAbandoned(Connection c, String kind, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + store.table("runs") + " SET status = 'failed', "
                + "ended_at = clock_timestamp(), error = 'abandoned: node ' || coalesce(node, 'unknown') "
                + "|| ' stopped during the run; the next run resumed from the committed cursor' "
                + "WHERE " + OF_THIS_LOCK + " AND status = 'running'")) {
            bindLock(ps, kind, name);
            int n = ps.executeUpdate();
            if (n > 0) {
                LOG.warn("{} {}: {} run(s) left running by a stopped node closed as failed", kind, name, n);
            }
        }
    }
}
