package dev.dromedary.run;

import dev.dromedary.record.Json;
import dev.dromedary.record.RecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What --status prints: per schedule its last run and cursor, per destination its pending and failed exports. */
public final class StatusReport {
    public record Schedule(String name, String lastStatus, String lastStarted, Double lastSeconds, long rowsRead,
                           long created, long updated, String error, String cursor, Double lagSeconds) {
    }

    public record Destination(String name, String lastStatus, String lastStarted, long pending, long failed,
                              List<String> failures) {
    }

    public record Report(List<Schedule> schedules, List<Destination> destinations) {
    }

    private final RecordStore store;

    public StatusReport(RecordStore store) {
        this.store = store;
    }

    /**
     * @param destinationsByModel model → its destinations (pending = changed records not yet looked at)
     */
    public Report read(List<String> sources, Map<String, List<String>> destinationsByModel) throws SQLException {
        List<Schedule> schedules = new ArrayList<>();
        List<Destination> destinations = new ArrayList<>();
        try (Connection c = store.dataSource().getConnection()) {
            for (String s : sources) {
                try (PreparedStatement ps = c.prepareStatement("SELECT r.status, r.started_at::text, "
                        + "extract(epoch FROM r.ended_at - r.started_at)::float8, r.rows_read, r.records_created, "
                        + "r.records_updated, r.error, cu.last_value, "
                        + "CASE WHEN cu.last_value ~ '^\\d{4}-\\d{2}-\\d{2}' THEN extract(epoch FROM now() - "
                        + "cu.last_value::timestamptz)::float8 END FROM (SELECT 1) one "
                        + "LEFT JOIN LATERAL (SELECT * FROM " + store.table("runs") + " WHERE kind = 'import' AND name = ? "
                        + "ORDER BY id DESC LIMIT 1) r ON TRUE LEFT JOIN " + store.table("cursors") + " cu ON cu.source = ?")) {
                    ps.setString(1, s);
                    ps.setString(2, s);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        schedules.add(new Schedule(s, rs.getString(1), rs.getString(2), (Double) rs.getObject(3, Double.class),
                                rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getString(7), rs.getString(8),
                                (Double) rs.getObject(9, Double.class)));
                    }
                }
            }
            for (Map.Entry<String, List<String>> e : destinationsByModel.entrySet()) {
                for (String d : e.getValue()) {
                    destinations.add(destination(c, e.getKey(), d));
                }
            }
        }
        return new Report(schedules, destinations);
    }

    private Destination destination(Connection c, String model, String d) throws SQLException {
        String status = null;
        String started = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT status, started_at::text FROM " + store.table("runs")
                + " WHERE kind = 'export' AND name = ? ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, d);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    status = rs.getString(1);
                    started = rs.getString(2);
                }
            }
        }
        long pending;
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + store.table("records") + " r WHERE "
                + "r.model = ? AND r.seq > coalesce((SELECT last_seq FROM " + store.table("export_cursors")
                + " WHERE destination = ?), 0)")) {
            ps.setString(1, model);
            ps.setString(2, d);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                pending = rs.getLong(1);
            }
        }
        List<String> failures = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT pk, reason FROM " + store.table("export_errors")
                + " WHERE destination = ? ORDER BY failed_at DESC, pk")) {
            ps.setString(1, d);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    failures.add(rs.getString(1) + ": " + rs.getString(2));
                }
            }
        }
        return new Destination(d, status, started, pending, failures.size(), failures);
    }

    public static String text(Report r) {
        StringBuilder b = new StringBuilder("Schedules\n");
        b.append(String.format("  %-28s %-10s %-26s %9s %10s %9s %9s  %-28s %10s%n", "schedule", "last run", "started",
                "seconds", "rows read", "created", "updated", "cursor", "lag (s)"));
        for (Schedule s : r.schedules()) {
            b.append(String.format("  %-28s %-10s %-26s %9s %10d %9d %9d  %-28s %10s%n", s.name(),
                    s.lastStatus() == null ? "never" : s.lastStatus(), s.lastStarted() == null ? "" : s.lastStarted(),
                    s.lastSeconds() == null ? "" : String.format("%.3f", s.lastSeconds()), s.rowsRead(), s.created(),
                    s.updated(), s.cursor() == null ? "(start)" : s.cursor(),
                    s.lagSeconds() == null ? "" : String.format("%.0f", s.lagSeconds())));
            if (s.error() != null) {
                b.append("      error: ").append(s.error()).append('\n');
            }
        }
        b.append("Destinations\n");
        b.append(String.format("  %-28s %-10s %-26s %9s %9s%n", "destination", "last run", "started", "pending", "failed"));
        for (Destination d : r.destinations()) {
            b.append(String.format("  %-28s %-10s %-26s %9d %9d%n", d.name(), d.lastStatus() == null ? "never"
                    : d.lastStatus(), d.lastStarted() == null ? "" : d.lastStarted(), d.pending(), d.failed()));
            for (String f : d.failures()) {
                b.append("      failed record ").append(f).append('\n');
            }
        }
        return b.toString();
    }

    public static String json(Report r) {
        StringBuilder b = new StringBuilder("{\"schedules\":[");
        for (int i = 0; i < r.schedules().size(); i++) {
            Schedule s = r.schedules().get(i);
            b.append(i == 0 ? "" : ",").append("{\"name\":").append(Json.quote(s.name()))
                    .append(",\"lastStatus\":").append(str(s.lastStatus()))
                    .append(",\"lastStarted\":").append(str(s.lastStarted()))
                    .append(",\"lastSeconds\":").append(s.lastSeconds())
                    .append(",\"rowsRead\":").append(s.rowsRead())
                    .append(",\"created\":").append(s.created())
                    .append(",\"updated\":").append(s.updated())
                    .append(",\"error\":").append(str(s.error()))
                    .append(",\"cursor\":").append(str(s.cursor()))
                    .append(",\"lagSeconds\":").append(s.lagSeconds()).append('}');
        }
        b.append("],\"destinations\":[");
        for (int i = 0; i < r.destinations().size(); i++) {
            Destination d = r.destinations().get(i);
            b.append(i == 0 ? "" : ",").append("{\"name\":").append(Json.quote(d.name()))
                    .append(",\"lastStatus\":").append(str(d.lastStatus()))
                    .append(",\"lastStarted\":").append(str(d.lastStarted()))
                    .append(",\"pending\":").append(d.pending())
                    .append(",\"failed\":").append(d.failed())
                    .append(",\"failures\":[");
            for (int j = 0; j < d.failures().size(); j++) {
                b.append(j == 0 ? "" : ",").append(Json.quote(d.failures().get(j)));
            }
            b.append("]}");
        }
        return b.append("]}").toString();
    }

    private static String str(String s) {
        return s == null ? "null" : Json.quote(s);
    }
}
