package dev.dromedary.sql;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/** Runs COPY ... FROM STDIN on a pooled connection. */
public final class Copy {
    private Copy() {
    }

    /** Streams the rows chunk by chunk (pgjdbc always talks UTF-8 to the server); returns the rows copied. */
    public static long in(Connection connection, String copySql, CopyText rows) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        boolean ended = false;
        try {
            rows.writeTo((bytes, length) -> {
                try {
                    copy.writeToCopy(bytes, 0, length);
                } catch (SQLException e) {
                    throw new IOException(e);
                }
            });
            long copied = copy.endCopy();
            ended = true;
            return copied;
        } catch (IOException e) {
            throw e.getCause() instanceof SQLException s ? s : new SQLException("COPY failed: " + e.getMessage(), e);
        } finally {
            if (!ended && copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException ignored) {
                    // The failure that stopped the copy is the one reported.
                }
            }
        }
    }
}
