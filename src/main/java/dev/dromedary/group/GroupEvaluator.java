package dev.dromedary.group;

import dev.dromedary.record.ModelLock;
import dev.dromedary.record.PropertyType;
import dev.dromedary.record.RecordStore;
import dev.dromedary.sql.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recomputes a model's group memberships in PostgreSQL: one UPDATE over every record whose properties changed
 * since the last evaluation, all groups at once, whatever the number of records. A record whose memberships
 * change takes a new seq, so exports see it. Changed rules (a new config hash) re-evaluate every record. Writers
 * that give records their memberships as they write them move its cursor over those records ({@link #evaluatedUpTo}).
 */
public final class GroupEvaluator implements dev.dromedary.record.GroupMembership {
    private static final Logger LOG = LoggerFactory.getLogger(GroupEvaluator.class);

    /** A property's type as group rules see it. */
    public record PropertyShape(PropertyType type, boolean array) {
    }

    private final RecordStore store;
    private final String model;
    private final List<GroupDefinition> groups;
    private final Map<String, PropertyShape> properties;
    private final Clock clock;
    private final String configHash;
    private final dev.dromedary.record.AnalyzePacer pacer;

    public GroupEvaluator(RecordStore store, String model, List<GroupDefinition> groups,
                          Map<String, PropertyShape> properties, Clock clock) {
        this.store = store;
        this.model = model;
        this.groups = groups;
        this.properties = properties;
        this.clock = clock;
        this.configHash = Integer.toHexString(groups.toString().hashCode());
        this.pacer = new dev.dromedary.record.AnalyzePacer(() -> store.analyzedRows("records"));
    }

    public boolean hasRelativeRules() {
        return groups.stream().flatMap(g -> g.rules().stream())
                .anyMatch(r -> r.op() == GroupOp.IN_THE_PAST || r.op() == GroupOp.IN_THE_FUTURE);
    }

    /** Evaluates records changed since the last evaluation; {@code everything} re-evaluates all (relative dates). */
    public long evaluate(boolean everything) throws SQLException {
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                // Held while this statement takes seq numbers, as every writer of the model's records does.
                ModelLock.acquire(c, model);
                long from = 0;
                try (PreparedStatement ps = c.prepareStatement("SELECT last_seq, config_hash FROM "
                        + store.table("group_cursors") + " WHERE model = ?")) {
                    ps.setString(1, model);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!everything && rs.next() && configHash.equals(rs.getString(2))) {
                            from = rs.getLong(1);
                        }
                    }
                }
                long upper = ModelLock.maxSeq(c, store, model);
                long changed = 0;
                if (upper > from) {
                    long[] result = update(c, from, upper);
                    changed = result[0];
                    // The records just given new groups took seq numbers above upper; under the lock nothing else
                    // did. Their groups are current, so the cursor moves past them and the next run skips them.
                    upper = Math.max(upper, result[1]);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.table("group_cursors")
                        + " (model, config_hash, last_seq, updated_at) VALUES (?, ?, ?, now()) ON CONFLICT (model) "
                        + "DO UPDATE SET config_hash = excluded.config_hash, last_seq = excluded.last_seq, "
                        + "updated_at = now()")) {
                    ps.setString(1, model);
                    ps.setString(2, configHash);
                    ps.setLong(3, upper);
                    ps.executeUpdate();
                }
                c.commit();
                if (pacer.add(changed)) {
                    store.analyze("records");
                }
                if (changed > 0) {
                    LOG.info("Groups of {}: {} record(s) changed membership", model, changed);
                }
                return changed;
            } catch (SQLException | RuntimeException e) {
                Transactions.rollback(c, e);
                throw e;
            }
        }
    }

    /**
     * A record's group names now, as SQL over {@code r.properties}; its bind values are appended to {@code params}.
     * Writers use it too, so that this evaluation finds their memberships already right.
     */
    @Override
    public String sql(List<Object> params) {
        java.time.Instant now = clock.instant();
        StringBuilder members = new StringBuilder("array_remove(ARRAY[");
        for (int i = 0; i < groups.size(); i++) {
            GroupDefinition g = groups.get(i);
            members.append(i == 0 ? "" : ", ").append("CASE WHEN (");
            for (int j = 0; j < g.rules().size(); j++) {
                GroupRule rule = g.rules().get(j);
                if (j > 0) {
                    members.append(g.match() == Match.ALL ? " AND " : " OR ");
                }
                PropertyShape shape = properties.get(rule.property());
                members.append("coalesce((");
                RuleSql.append(rule, shape.type(), shape.array(), members, params, now);
                members.append("), false)");
            }
            members.append(") THEN ?::text END");
            params.add(g.name());
        }
        members.append("]::text[], NULL)");
        return members.toString();
    }

    @Override
    public void evaluatedUpTo(Connection c, long before, long after) throws SQLException {
        // Only from where the cursor stands: a write in between that took seqs without memberships (a unique value
        // cleared, a tombstone, an export retried), or changed rules (another hash), leave it behind for evaluate.
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + store.table("group_cursors") + " SET last_seq = ?, "
                + "updated_at = now() WHERE model = ? AND config_hash = ? AND last_seq >= ? AND last_seq < ?")) {
            ps.setLong(1, after);
            ps.setString(2, model);
            ps.setString(3, configHash);
            ps.setLong(4, before);
            ps.setLong(5, after);
            if (ps.executeUpdate() > 0 || before > 0) {
                return;
            }
        }
        // The model had no records: these are all of them, evaluated as they were written.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.table("group_cursors")
                + " (model, config_hash, last_seq, updated_at) VALUES (?, ?, ?, now()) ON CONFLICT (model) DO NOTHING")) {
            ps.setString(1, model);
            ps.setString(2, configHash);
            ps.setLong(3, after);
            ps.executeUpdate();
        }
    }

    /** @return records whose memberships changed, and the highest seq they took (0 if none) */
    private long[] update(Connection c, long from, long upper) throws SQLException {
        List<Object> params = new ArrayList<>();
        String members = sql(params);
        String records = store.table("records");
        // One pass over the window's records, no self-join: a join back to records could be planned as a scan of
        // the whole table. The memberships are computed twice per record (to compare, then to set); that is cheap.
        String sql = "WITH u AS (UPDATE " + records + " r SET groups = " + members + ", seq = nextval("
                + store.sequenceLiteral() + ") WHERE r.model = ? AND r.seq > ? AND r.seq <= ? AND r.deleted_at IS NULL "
                + "AND r.groups IS DISTINCT FROM " + members + " RETURNING r.seq) "
                + "SELECT count(*), coalesce(max(seq), 0) FROM u";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object p : params) {
                ps.setObject(i++, p);
            }
            ps.setString(i++, model);
            ps.setLong(i++, from);
            ps.setLong(i++, upper);
            for (Object p : params) {
                ps.setObject(i++, p);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }
}
