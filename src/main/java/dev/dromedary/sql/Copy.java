package dev.dromedary.sql;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/** Runs COPY ... FROM STDIN on a pooled connection. */
public final class Copy {
    private Copy() {
    }

    public static long in(Connection connection, String copySql, CopyText rows) throws SQLException {
        try {
            return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql, new StringReader(rows.toString()));
        } catch (java.io.IOException e) {
            throw new SQLException("COPY failed: " + e.getMessage(), e);
        }
    }
}
