package dev.dromedary.app;

import dev.dromedary.record.RecordStore;
import dev.dromedary.sql.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An App's refresh query (e.g. {@code SELECT max(updated_at) FROM users}), run in a READ ONLY transaction on its
 * own schedule. When its result differs from the last one kept in the record store, the App's refresh-enabled
 * schedules run.
 */
public final class AppRefresh {
    private static final Logger LOG = LoggerFactory.getLogger(AppRefresh.class);
    private final AppConfig app;
    private final DataSource dataSource;
    private final RecordStore store;

    public AppRefresh(AppConfig app, DataSource dataSource, RecordStore store) {
        this.app = app;
        this.dataSource = dataSource;
        this.store = store;
    }

    /** Prepares the query without running it: a syntax error or unknown column is reported at start-up. */
    public static String problem(AppConfig app, DataSource ds) {
        String q = app.refreshQuery().strip();
        if (!q.regionMatches(true, 0, "select", 0, 6) && !q.regionMatches(true, 0, "with", 0, 4)) {
            return "dromedary.apps." + app.name() + ".refresh-query: must be a single SELECT";
        }
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + q)) {
                ps.execute();
            } finally {
                Transactions.endReadOnly(c);
            }
            return null;
        } catch (SQLException e) {
            return "dromedary.apps." + app.name() + ".refresh-query: " + dev.dromedary.run.Errors.describe(e);
        }
    }

    /** Runs the query; true when its result changed since the last check (or was never seen). */
    public boolean changed() throws SQLException {
        String value;
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(app.refreshQuery()); ResultSet rs = ps.executeQuery()) {
                value = rs.next() ? rs.getString(1) : null;
            } finally {
                Transactions.endReadOnly(c);
            }
        }
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.table("app_refresh")
                     + " AS a (app, last_value, checked_at) VALUES (?, ?, now()) ON CONFLICT (app) DO UPDATE SET "
                     + "last_value = excluded.last_value, checked_at = now() "
                     + "RETURNING (SELECT last_value FROM " + store.table("app_refresh") + " WHERE app = ?), "
                     + "(xmax = 0)")) {
            ps.setString(1, app.name());
            ps.setString(2, value);
            ps.setString(3, app.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean first = rs.getBoolean(2);
                boolean changed = first || !Objects.equals(rs.getString(1), value);
                if (changed) {
                    LOG.info("App {}: refresh query result changed to {}; running its refresh schedules", app.name(), value);
                }
                return changed;
            }
        }
    }

    public AppConfig app() {
        return app;
    }
}
