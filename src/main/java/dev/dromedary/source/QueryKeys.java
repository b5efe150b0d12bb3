package dev.dromedary.source;

import dev.dromedary.run.Errors;
import dev.dromedary.sql.Identifiers;
import dev.dromedary.sql.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A query source's schedule query, which returns record keys (e.g. the users who bought something in the
 * last two days). The engine pages through its distinct results, in READ ONLY transactions; the user's own
 * LIMIT or ORDER BY still apply inside.
 */
public final class QueryKeys {
    private final String pageSql;

    private QueryKeys(String pageSql) {
        this.pageSql = pageSql;
    }

    /** Prepares the query at start-up; null with a problem recorded when it is not a usable single SELECT. */
    public static QueryKeys prepare(String query, Connection c, List<String> problems) throws SQLException {
        QueryTemplate template = new QueryTemplate(query);
        String problem = template.problem();
        if (problem == null && !template.variables().isEmpty()) {
            problem = "takes no {{ variables }}: it finds the keys, for every record at once";
        }
        if (problem != null) {
            problems.add(problem);
            return null;
        }
        String text = template.render(i -> "");
        String column;
        try (PreparedStatement ps = c.prepareStatement(text)) {
            var md = ps.getMetaData();
            if (md == null || md.getColumnCount() == 0) {
                problems.add("returns no column");
                return null;
            }
            column = md.getColumnLabel(1);
        } catch (SQLException e) {
            problems.add(Errors.describe(e));
            return null;
        }
        String col = "q." + Identifiers.quote(column);
        return new QueryKeys("SELECT DISTINCT " + col + "::text FROM (" + text + ") AS q WHERE " + col
                + " IS NOT NULL AND " + col + "::text > ? ORDER BY 1 LIMIT ?");
    }

    /** The next page of keys after {@code after} (text order). */
    public List<String> page(Connection c, String after, int limit) throws SQLException {
        List<String> keys = new ArrayList<>();
        c.setAutoCommit(false);
        c.setReadOnly(true);
        try (PreparedStatement ps = c.prepareStatement(pageSql)) {
            ps.setString(1, after == null ? "" : after);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
        } finally {
            Transactions.endReadOnly(c);
        }
        return keys;
    }
}
