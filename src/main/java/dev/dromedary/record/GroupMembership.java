package dev.dromedary.record;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** What a writer needs of its model's groups: the memberships as SQL, and the evaluation cursor it keeps up. */
public interface GroupMembership {
    /** A record's group names, as SQL over {@code r.properties}; its bind values are appended to {@code binds}. */
    String sql(List<Object> binds);

    /**
     * In a writer's transaction that holds the model's lock, after it gave every record it wrote its memberships:
     * moves the evaluation's cursor over those records (from {@code before}, the model's newest seq when the writer
     * took the lock, to {@code after}) if it had reached {@code before}, so the next evaluation does not read them.
     */
    void evaluatedUpTo(Connection c, long before, long after) throws SQLException;
}
