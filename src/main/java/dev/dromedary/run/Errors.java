package dev.dromedary.run;

import java.sql.SQLException;

/** Turns an exception, however wrapped by Camel, into the one line a user needs: the database's own words. */
public final class Errors {
    private Errors() {
    }

    public static String describe(Throwable t) {
        if (t == null) {
            return null;
        }
        Throwable best = t;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            best = c;
            if (c instanceof SQLException) {
                break;
            }
        }
        String m = best.getMessage() == null ? best.getClass().getSimpleName() : best.getMessage();
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).replaceFirst("^ERROR: ", "");
    }
}
