package dev.dromedary.run;

import dev.dromedary.record.RecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of one schedule: its last run succeeded and, when a threshold is set, its cursor is not further
 * behind the database clock than that.
 */
public final class ScheduleHealthCheck extends AbstractHealthCheck {
    private final RecordStore store;
    private final String source;
    private final Duration maxLag;

    public ScheduleHealthCheck(RecordStore store, String source, Duration maxLag) {
        super("dromedary-schedule-" + source);
        this.store = store;
        this.source = source;
        this.maxLag = maxLag;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("schedule", source);
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT (SELECT status FROM " + store.table("runs")
                     + " WHERE kind = 'import' AND name = ? AND status <> 'running' ORDER BY id DESC LIMIT 1), "
                     + "(SELECT error FROM " + store.table("runs") + " WHERE kind = 'import' AND name = ? "
                     + "AND status <> 'running' ORDER BY id DESC LIMIT 1), "
                     + "(SELECT CASE WHEN last_value ~ '^\\d{4}-\\d{2}-\\d{2}' THEN extract(epoch FROM now() - "
                     + "last_value::timestamptz)::float8 END FROM " + store.table("cursors") + " WHERE source = ?)")) {
            ps.setString(1, source);
            ps.setString(2, source);
            ps.setString(3, source);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String status = rs.getString(1);
                Double lag = rs.getObject(3, Double.class);
                builder.detail("lastRun", status == null ? "never" : status);
                if (lag != null) {
                    builder.detail("cursorLagSeconds", Math.round(lag));
                }
                if ("failed".equals(status)) {
                    builder.message("last run of " + source + " failed: " + rs.getString(2)).down();
                } else if (maxLag != null && lag != null && lag > maxLag.toSeconds()) {
                    builder.message("cursor of " + source + " is " + Math.round(lag) + " s behind, over the "
                            + maxLag.toSeconds() + " s allowed").down();
                } else {
                    builder.up();
                }
            }
        } catch (Exception e) {
            builder.message("record store unreachable: " + Errors.describe(e)).error(e).down();
        }
    }
}
