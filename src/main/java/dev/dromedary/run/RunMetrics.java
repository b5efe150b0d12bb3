package dev.dromedary.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import org.apache.camel.CamelContext;

/**
 * Dromedary's meters, in the Micrometer registry Camel's metrics use (camel.metrics.enabled = true), or any
 * MeterRegistry a host binds. Without one, nothing is recorded. Prometheus names: dromedary_rows_read_total,
 * dromedary_records_total{operation}, dromedary_exports_total{operation}, dromedary_run_seconds,
 * dromedary_cursor_lag_seconds.
 */
public final class RunMetrics {
    private final CamelContext context;
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> lags = new java.util.concurrent.ConcurrentHashMap<>();

    public RunMetrics(CamelContext context) {
        this.context = context;
    }

    private MeterRegistry registry() {
        return context.getRegistry().findSingleByType(MeterRegistry.class);
    }

    public void imported(String schedule, RunCounts n, double seconds, boolean ok, Double cursorLagSeconds) {
        MeterRegistry r = registry();
        if (r == null) {
            return;
        }
        Tags tags = Tags.of("schedule", schedule);
        r.counter("dromedary.rows.read", tags).increment(n.rowsRead);
        r.counter("dromedary.rows.rejected", tags).increment(n.rowsRejected);
        r.counter("dromedary.records", tags.and("operation", "created")).increment(n.recordsCreated);
        r.counter("dromedary.records", tags.and("operation", "updated")).increment(n.recordsUpdated);
        r.counter("dromedary.records", tags.and("operation", "deleted")).increment(n.deleted);
        r.timer("dromedary.run", Tags.of("kind", "import", "name", schedule, "outcome", ok ? "succeeded" : "failed"))
                .record(Duration.ofNanos((long) (seconds * 1e9)));
        if (cursorLagSeconds != null) {
            lags.computeIfAbsent(schedule, s -> r.gauge("dromedary.cursor.lag.seconds", tags,
                    new java.util.concurrent.atomic.AtomicLong())).set(Math.round(cursorLagSeconds));
        }
    }

    public void exported(String destination, RunCounts n, double seconds, boolean ok) {
        MeterRegistry r = registry();
        if (r == null) {
            return;
        }
        Tags tags = Tags.of("destination", destination);
        r.counter("dromedary.exports", tags.and("operation", "inserted")).increment(n.inserted);
        r.counter("dromedary.exports", tags.and("operation", "updated")).increment(n.updated);
        r.counter("dromedary.exports", tags.and("operation", "deleted")).increment(n.deleted);
        r.counter("dromedary.exports", tags.and("operation", "skipped")).increment(n.skipped);
        r.counter("dromedary.exports", tags.and("operation", "refused")).increment(n.refused);
        r.counter("dromedary.exports", tags.and("operation", "failed")).increment(n.failed);
        r.timer("dromedary.run", Tags.of("kind", "export", "name", destination, "outcome", ok ? "succeeded" : "failed"))
                .record(Duration.ofNanos((long) (seconds * 1e9)));
    }
}
