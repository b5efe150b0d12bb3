package dev.dromedary.run;

import dev.dromedary.record.RecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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

    private final RecordStore store;
    private final DataSource connections;

    /** @param connections connections to the store's database, at least one per lock held at once */
    public RunLocks(RecordStore store, DataSource connections) {
        this.store = store;
        this.connections = connections;
    }

    /** A held lock; closing it frees the lock and returns the connection. */
    public final class Held implements AutoCloseable {
        private final Connection c;
        private final String key;

        private Held(Connection c, String key) {
            this.c = c;
            this.key = key;
        }

        @Override
        public void close() {
            try (c) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
                    ps.setString(1, key);
                    ps.execute();
                }
                try (Statement s = c.createStatement()) {
                    s.execute("RESET statement_timeout; RESET lock_timeout");
                }
            } catch (SQLException e) {
                // The session is gone, and its lock with it; the pool discards the connection.
                LOG.debug("Releasing run lock {}: {}", key, e.getMessage());
            }
        }
    }

    /**
     * Waits until no other process runs {@code kind}/{@code name}, then holds the lock. Runs of this name still
     * recorded as running were left by a process that died: holding the lock proves it, so they are closed.
     */
    public Held acquire(String kind, String name) throws SQLException {
        String key = store.schema() + ":" + kind + ":" + name;
        Connection c = connections.getConnection();
        try {
            if (!tryLock(c, key)) {
                LOG.info("{} {} is running on node {}; waiting for it to finish", kind, name, runningOn(c, kind, name));
                // A wait for another node's run is no statement or lock the App's timeouts should cancel.
                try (Statement s = c.createStatement()) {
                    s.execute("SET statement_timeout = 0; SET lock_timeout = 0");
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(hashtextextended(?, 0))")) {
                    ps.setString(1, key);
                    ps.execute();
                }
            }
            closeAbandoned(c, kind, name);
            return new Held(c, key);
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
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
                + " WHERE kind = ? AND (name = ? OR name = ? || ':enrich') AND status = 'running' "
                + "ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, kind);
            ps.setString(2, name);
            ps.setString(3, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "unknown";
            }
        }
    }

    private void closeAbandoned(Connection c, String kind, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + store.table("runs") + " SET status = 'failed', "
                + "ended_at = clock_timestamp(), error = 'abandoned: node ' || coalesce(node, 'unknown') "
                + "|| ' stopped during the run; the next run resumed from the committed cursor' "
                + "WHERE kind = ? AND (name = ? OR name = ? || ':enrich') AND status = 'running'")) {
            ps.setString(1, kind);
            ps.setString(2, name);
            ps.setString(3, name);
            int n = ps.executeUpdate();
            if (n > 0) {
                LOG.warn("{} {}: {} run(s) left running by a stopped node closed as failed", kind, name, n);
            }
        }
    }
}
