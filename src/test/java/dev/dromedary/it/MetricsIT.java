package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.run.RunCounts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dromedary's meters match the counts of the runs they describe. */
class MetricsIT {
    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE users (id int PRIMARY KEY, email text, updated_at timestamptz NOT NULL)",
                "INSERT INTO users SELECT g, 'u' || g || '@x.org', now() - interval '1 minute' FROM generate_series(1, 120) g",
                "CREATE TABLE customers (id int PRIMARY KEY, email varchar(9))");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    @Test
    void metersMatchTheRunsCounts() throws Exception {
        Properties p = new Properties();
        DromedaryHarness.app(p, "main", db, "public");
        p.setProperty("dromedary.store.app", "main");
        String sync = """
                model: { name: users, primaryKey: userId }
                sources:
                  - id: users
                    app: main
                    table: users
                    mapping: { column: id, property: userId }
                    properties: [ { name: email, column: email } ]
                    schedule: { column: updated_at, every: 1h }
                destinations:
                  - id: customers
                    app: main
                    table: customers
                    primaryKey: id
                    mappings: { id: userId, email: email }
                """;
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (DromedaryHarness h = DromedaryHarness.startWithBeans(p, sync, dir, Map.of("meters", meters))) {
            RunCounts imported = h.importOnce("users");
            RunCounts exported = h.exportOnce("customers");
            assertThat(meters.get("dromedary.rows.read").tag("schedule", "users").counter().count())
                    .isEqualTo(imported.rowsRead).isEqualTo(120);
            assertThat(meters.get("dromedary.records").tags("schedule", "users", "operation", "created").counter().count())
                    .isEqualTo(120);
            assertThat(meters.get("dromedary.exports").tags("destination", "customers", "operation", "inserted")
                    .counter().count()).isEqualTo(exported.inserted);
            assertThat(meters.get("dromedary.exports").tags("destination", "customers", "operation", "failed")
                    .counter().count()).isEqualTo(exported.failed).isEqualTo(21);
            assertThat(meters.get("dromedary.run").tags("kind", "export", "name", "customers", "outcome", "succeeded")
                    .timer().count()).isEqualTo(1);
            assertThat(meters.get("dromedary.cursor.lag.seconds").tag("schedule", "users").gauge().value())
                    .isBetween(30.0, 3600.0);
        }
    }
}
