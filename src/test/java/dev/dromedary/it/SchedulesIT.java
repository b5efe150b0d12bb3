package dev.dromedary.it;

import static dev.dromedary.it.DromedaryHarness.oneApp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dromedary.config.DromedaryConfigException;
import dev.dromedary.run.RunCounts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schedules as Quartz runs them, full runs, confirmRecords, and the App refresh query. */
class SchedulesIT {
    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE users (id int PRIMARY KEY, email text, updated_at timestamptz NOT NULL)",
                "INSERT INTO users SELECT g, 'u' || g || '@x.org', now() - interval '1 hour' FROM generate_series(1, 50) g");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    private static String sync(String schedule) {
        return """
                model: { name: users, primaryKey: userId }
                sources:
                  - id: users
                    app: crm
                    table: users
                    mapping: { column: id, property: userId }
                    properties: [ { name: email, column: email } ]
                    schedule: SCHEDULE
                """.replace("SCHEDULE", schedule);
    }

    private long runs(String name) throws Exception {
        return db.queryLong("SELECT count(*) FROM dromedary.runs WHERE name = '" + name + "' AND status = 'succeeded'");
    }

    @Test
    void recurringSchedule_runsAgainAndAgainOnQuartz() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.startScheduled(oneApp(db), sync("{ column: updated_at, every: 1s }"), dir)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> runs("users") >= 3);
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.records")).isEqualTo(50);
            db.execute("INSERT INTO users VALUES (51, 'new@x.org', now())");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    db.queryLong("SELECT count(*) FROM dromedary.records") == 51);
        }
    }

    @Test
    void cronSchedule_firesOnQuartz() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.startScheduled(oneApp(db),
                sync("{ column: updated_at, cron: \"0/1 * * * * ?\" }"), dir)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> runs("users") >= 2);
        }
    }

    @Test
    void oneTimeSchedule_runsExactlyOnce() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.startScheduled(oneApp(db), sync("{ column: updated_at, once: true }"), dir)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> runs("users") == 1);
            // A later change is not picked up: nothing fires again.
            db.execute("INSERT INTO users VALUES (51, 'new@x.org', now())");
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> runs("users") == 1);
        }
    }

    @Test
    void fullSchedule_readsEverything_andDeletesRecordsWhoseRowsAreGone() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync("{ every: 1h, pageSize: 20 }"), dir)) {
            assertThat(h.importOnce("users").recordsCreated).isEqualTo(50);
            db.execute("DELETE FROM users WHERE id IN (7, 8)", "UPDATE users SET email = 'changed@x.org' WHERE id = 9");
            RunCounts again = h.importOnce("users");
            assertThat(again.rowsRead).isEqualTo(48);
            assertThat(again.recordsUpdated).as("a full run sees changes without a cursor column").isEqualTo(1);
            assertThat(again.deleted).isEqualTo(2);
            h.runOnce("users");
        }
        assertThat(db.queryLong("SELECT count(*) FROM dromedary.records")).isEqualTo(48);
    }

    @Test
    void confirmRecords_deletesRecordsWhoseRowsAreGone_onIncrementalSchedules() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db),
                sync("{ column: updated_at, every: 1h, confirmRecords: true }"), dir)) {
            h.importOnce("users");
            db.execute("DELETE FROM users WHERE id = 5");
            RunCounts n = h.importOnce("users");
            assertThat(n.rowsRead).isZero();
            assertThat(n.deleted).isEqualTo(1);
            assertThat(db.rows("SELECT deleted_at IS NOT NULL FROM dromedary.records WHERE pk = '5'"))
                    .containsExactly(List.of("t"));
        }
    }

    @Test
    void refreshQuery_runsTheAppsRefreshSchedules_whenItsResultChanges() throws Exception {
        Properties p = oneApp(db);
        p.setProperty("dromedary.apps.crm.refresh-query", "SELECT max(updated_at) FROM users");
        p.setProperty("dromedary.apps.crm.refresh-every", "1h");
        try (DromedaryHarness h = DromedaryHarness.start(p, sync("{ column: updated_at, every: 1d, refresh: true }"), dir)) {
            h.refreshOnce("crm");
            assertThat(runs("users")).as("first result seen").isEqualTo(1);
            h.refreshOnce("crm");
            assertThat(runs("users")).as("unchanged").isEqualTo(1);
            db.execute("INSERT INTO users VALUES (51, 'new@x.org', now())");
            h.refreshOnce("crm");
            assertThat(runs("users")).isEqualTo(2);
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.records")).isEqualTo(51);
        }
    }

    @Test
    void refreshQuery_isCheckedAtStartup() {
        Properties p = oneApp(db);
        p.setProperty("dromedary.apps.crm.refresh-query", "SELECT max(changed) FROM users");
        assertThatThrownBy(() -> DromedaryHarness.start(p, sync("{ column: updated_at, every: 1d, refresh: true }"), dir))
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("dromedary.apps.crm.refresh-query: column \"changed\" does not exist");
        Properties q = oneApp(db);
        assertThatThrownBy(() -> DromedaryHarness.start(q, sync("{ column: updated_at, every: 1d, refresh: true }"), dir))
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("source 'users'.schedule.refresh: App 'crm' has no refresh query");
    }
}
