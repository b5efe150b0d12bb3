package dev.dromedary.app;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.postgresql.Driver;

/** Connects to an App once at start-up and says, in one line, why it cannot be used. */
public final class AppChecker {
    private AppChecker() {
    }

    /** Null when the App is usable, otherwise a one-line reason naming the App. */
    public static String problem(AppConfig app) {
        if (app.ssl() && app.sslCertificateAuthority() == null) {
            org.slf4j.LoggerFactory.getLogger(AppChecker.class).warn("App '{}': ssl without ssl-certificate-authority "
                    + "encrypts but does not verify the server; give the CA to verify it", app.name());
        }
        try (Connection c = new Driver().connect(ConnectionProperties.url(app), ConnectionProperties.of(app))) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
                ps.setString(1, app.schema());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return prefix(app) + "schema '" + app.schema() + "' does not exist in database '"
                                + app.database() + "'";
                    }
                }
            }
            return null;
        } catch (SQLException e) {
            return prefix(app) + mask(app, describe(app, e));
        }
    }

    private static String prefix(AppConfig app) {
        return "App '" + app.name() + "' (" + app.address() + "): ";
    }

    static String describe(AppConfig app, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        Throwable root = rootCause(e);
        if (root instanceof UnknownHostException) {
            return "cannot reach host '" + app.host() + "': unknown host";
        }
        if (root instanceof ConnectException || state.startsWith("08")) {
            String lower = e.getMessage() == null ? "" : e.getMessage().toLowerCase();
            if (lower.contains("ssl") || lower.contains("certificate") || lower.contains("key file")) {
                return "SSL connection failed: " + firstLine(e.getMessage());
            }
            return "cannot reach " + app.host() + ":" + app.port() + ": " + firstLine(
                    root.getMessage() == null ? e.getMessage() : root.getMessage());
        }
        return switch (state) {
            case "28P01" -> "login failed for user '" + app.user() + "': wrong password";
            case "28000" -> "login refused for user '" + app.user() + "': " + firstLine(e.getMessage());
            case "3D000" -> "database '" + app.database() + "' does not exist";
            default -> firstLine(e.getMessage()) + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
        };
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Belt and braces: a password never leaves in a message, whatever the driver put in it. */
    static String mask(AppConfig app, String message) {
        String pw = app.password().reveal();
        return pw == null || pw.isEmpty() ? message : message.replace(pw, "********");
    }
}
