package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness per App and per schedule through Camel's health-check registry. */
class HealthIT {
    @TempDir
    Path dir;
    TestDatabase db;
    TestDatabase source;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        source = TestDatabase.create();
        source.execute("CREATE TABLE users (id int PRIMARY KEY, updated_at timestamptz NOT NULL)",
                "INSERT INTO users SELECT g, now() FROM generate_series(1, 10) g");
    }

    private void allowConnections(boolean allow) throws Exception {
        try (var c = TestDatabase.connect("postgres"); var st = c.createStatement()) {
            st.execute("ALTER DATABASE " + source.name() + " WITH ALLOW_CONNECTIONS " + allow);
        }
    }

    @AfterEach
    void dropDatabases() throws Exception {
        allowConnections(true);
        source.close();
        db.close();
    }

    private static HealthCheck.State state(DromedaryHarness h, String id) {
        return HealthCheckHelper.invoke(h.context(), "full").stream().filter(r -> r.getCheck().getId().equals(id))
                .findFirst().orElseThrow(() -> new AssertionError("no health check " + id + " in "
                        + HealthCheckHelper.invoke(h.context(), "full").stream().map(r -> r.getCheck().getId()).toList())).getState();
    }

    @Test
    void appDown_whenItsDatabaseRefusesConnections_andUpWhenBack() throws Exception {
        Properties p = new Properties();
        DromedaryHarness.app(p, "crm", source, "public");
        DromedaryHarness.app(p, "store", db, "public");
        p.setProperty("dromedary.store.app", "store");
        p.setProperty("dromedary.health.max-cursor-lag", "1h");
        p.setProperty("dromedary.apps.crm.connect-timeout", "1s");
        String sync = """
                model: { name: users, primaryKey: userId }
                sources:
                  - id: users
                    app: crm
                    table: users
                    mapping: { column: id, property: userId }
                    schedule: { column: updated_at, every: 1h }
                """;
        try (DromedaryHarness h = DromedaryHarness.start(p, sync, dir)) {
            assertThat(state(h, "dromedary-app-crm")).isEqualTo(HealthCheck.State.UP);
            h.importOnce("users");
            assertThat(state(h, "dromedary-schedule-users")).isEqualTo(HealthCheck.State.UP);

            allowConnections(false);
            try (var c = TestDatabase.connect("postgres"); var st = c.createStatement()) {
                st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + source.name() + "'");
            }
            assertThat(state(h, "dromedary-app-crm")).isEqualTo(HealthCheck.State.DOWN);
            assertThat(state(h, "dromedary-app-store")).isEqualTo(HealthCheck.State.UP);
            org.assertj.core.api.Assertions.catchThrowable(() -> h.importOnce("users"));
            assertThat(state(h, "dromedary-schedule-users")).as("its last run failed").isEqualTo(HealthCheck.State.DOWN);

            allowConnections(true);
            assertThat(state(h, "dromedary-app-crm")).isEqualTo(HealthCheck.State.UP);
            h.importOnce("users");
            assertThat(state(h, "dromedary-schedule-users")).isEqualTo(HealthCheck.State.UP);
        }
    }
}
