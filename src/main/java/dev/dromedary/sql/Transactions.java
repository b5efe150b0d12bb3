package dev.dromedary.sql;

import java.sql.Connection;
import java.sql.SQLException;

/** Ending a failed transaction without hiding why it failed: a broken connection cannot roll back either. */
public final class Transactions {
    private Transactions() {
    }

    /** Rolls back; a failure to do so is attached to {@code cause} instead of replacing it. */
    public static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Leaves a read-only transaction: rolls back and restores the pool's defaults. Errors are ignored, as the
     * pool resets a connection it gets back anyway; an exception in flight stays the one reported.
     */
    public static void endReadOnly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
            c.setReadOnly(false);
        } catch (SQLException ignored) {
            // a broken connection: the pool discards it
        }
    }
}
