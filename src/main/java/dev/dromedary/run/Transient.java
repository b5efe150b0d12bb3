package dev.dromedary.run;

import java.sql.SQLException;
import java.sql.SQLTransientException;

/**
 * Tells a passing database fault (connection lost, server shutting down, deadlock, serialization failure,
 * pool timeout), worth retrying as a whole batch, from a refusal of the data, which retrying cannot fix.
 */
public final class Transient {
    private Transient() {
    }

    public static boolean is(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLTransientException || c instanceof java.sql.SQLRecoverableException
                    || c instanceof java.io.IOException) {
                return true;
            }
            if (c instanceof SQLException e && e.getSQLState() != null) {
                String s = e.getSQLState();
                if (s.startsWith("08") || s.startsWith("57P") || s.equals("53300") || s.equals("40001")
                        || s.equals("40P01") || s.equals("55P03") || s.equals("57014")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether the database refused the data itself (bad value, constraint, a trigger's check): such a failure
     * belongs to a record, and is isolated rather than failing the batch.
     */
    public static boolean isDataRefusal(SQLException e) {
        String s = e.getSQLState();
        return s != null && (s.startsWith("22") || s.startsWith("23") || s.startsWith("P0") || s.startsWith("44")
                || s.startsWith("21"));
    }
}
