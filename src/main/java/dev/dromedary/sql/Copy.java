package dev.dromedary.sql;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/** Runs COPY ... FROM STDIN on a pooled connection. */
public final class Copy {
    private Copy() {
    }

    public static long in(Connection connection, String copySql, CopyText rows) throws SQLException {
        try {
            // pgjdbc always talks UTF-8 to the server; encoding the whole page at once is cheaper than per chunk.
            byte[] bytes = rows.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql,
                    new java.io.ByteArrayInputStream(bytes), 1 << 16);
        } catch (java.io.IOException e) {
            throw new SQLException("COPY failed: " + e.getMessage(), e);
        }
    }
}
