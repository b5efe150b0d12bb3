package dev.dromedary.it;

import static dev.dromedary.it.DromedaryHarness.oneApp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dromedary.run.RunCounts;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary source's first import does the first runs of its same-App secondary sources: each record is written
 * once with every property and its groups, and the secondaries' cursors start at their newest rows. Otherwise (a secondary that
 * has run, or is running) new records wait in the enrichment queue as before.
 */
class FirstImportIT {
    private static final String SYNC = """
            model: { name: users, primaryKey: userId }
            sources:
              - id: users
                app: crm
                table: users
                primary: true
                mapping: { column: id, property: userId }
                properties:
                  - { name: email, column: email }
                schedule: { column: updated_at, every: 1h, pageSize: 2 }
              - id: purchases
                app: crm
                table: purchases
                mapping: { column: user_id, property: userId }
                properties:
                  - { name: total, column: amount, type: float, aggregation: sum }
                  - { name: lastItem, column: item, aggregation: mostRecentValue, sortColumn: id }
                schedule: { column: updated_at, every: 1h }
            groups:
              - name: buyers
                rules: [ { property: total, op: gt, value: "0" } ]
            """;

    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("""
                CREATE TABLE users (id int PRIMARY KEY, email text,
                  updated_at timestamptz NOT NULL DEFAULT now() - interval '1 hour')""",
                "INSERT INTO users (id, email) SELECT g, 'u' || g || '@x.org' FROM generate_series(1, 5) g",
                """
                CREATE TABLE purchases (id serial PRIMARY KEY, user_id int, amount numeric(10,2), item text,
                  updated_at timestamptz NOT NULL DEFAULT now() - interval '1 hour')""",
                "INSERT INTO purchases (user_id, amount, item) VALUES (1, 10, 'hat'), (1, 5, 'scarf'), (3, 7, 'coat')");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    private List<List<String>> totals() throws Exception {
        return db.rows("SELECT pk, properties ->> 'total', properties ->> 'lastItem' FROM dromedary.records "
                + "ORDER BY pk");
    }

    private static final List<List<String>> EXPECTED = List.of(
            java.util.Arrays.asList("1", "15", "scarf"), java.util.Arrays.asList("2", "0", null),
            java.util.Arrays.asList("3", "7", "coat"), java.util.Arrays.asList("4", "0", null),
            java.util.Arrays.asList("5", "0", null));

    private long enrichedBySecondary() throws Exception {
        return db.queryLong("SELECT coalesce(sum(rows_read), 0) FROM dromedary.runs WHERE name = 'purchases:enrich'");
    }

    @Test
    void firstImport_writesEachRecordOnceWithTheSecondarysProperties_andStartsItsCursorAtItsNewestRow() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), SYNC, dir)) {
            h.runOnce("users");
            assertThat(totals()).isEqualTo(EXPECTED);
            assertThat(db.rows("SELECT pk FROM dromedary.records WHERE 'buyers' = ANY(groups) ORDER BY pk"))
                    .containsExactly(List.of("1"), List.of("3"));
            // One seq number per record: each was written once, with its groups, by the page that created it.
            assertThat(db.queryLong("SELECT max(seq) FROM dromedary.records")).isEqualTo(5);
            assertThat(enrichedBySecondary()).as("nothing was left for the properties step").isZero();
            assertThat(db.rows("SELECT c.last_value::timestamptz = (SELECT max(updated_at) FROM purchases), c.last_key "
                    + "FROM dromedary.cursors c WHERE c.source = 'purchases'")).containsExactly(List.of("t", "3"));

            // The secondary's next run reads only what changed after its cursor, not every record; the records it
            // updates get their groups in the same statement, leaving the group evaluation nothing to change.
            db.execute("UPDATE purchases SET amount = 20, updated_at = now() WHERE item = 'coat'",
                    "INSERT INTO purchases (user_id, amount, item, updated_at) VALUES (2, 3, 'pen', now())");
            RunCounts counts = h.importOnce("purchases");
            assertThat(counts.rowsRead).isEqualTo(2);
            assertThat(totals().subList(1, 3)).containsExactly(List.of("2", "3", "pen"), List.of("3", "20", "coat"));
            assertThat(h.groupsOnce("users")).isZero();
            assertThat(db.rows("SELECT pk FROM dromedary.records WHERE 'buyers' = ANY(groups) ORDER BY pk"))
                    .containsExactly(List.of("1"), List.of("2"), List.of("3"));
        }
    }

    @Test
    void invalidValues_ofThePrimaryAndTheSecondary_areKeptUnderTheirOwnProperties() throws Exception {
        String sync = SYNC.replace("- { name: email, column: email }",
                        "- { name: email, column: email }\n      - { name: age, column: age, type: integer }")
                .replace("- { name: lastItem, column: item, aggregation: mostRecentValue, sortColumn: id }",
                        "- { name: lastCode, column: item, type: integer, aggregation: mostRecentValue, sortColumn: id }");
        db.execute("ALTER TABLE users ADD COLUMN age text DEFAULT '30'", "UPDATE users SET age = 'old' WHERE id = 2",
                "INSERT INTO purchases (user_id, amount, item) VALUES (3, 1, '42')");
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            h.runOnce("users");
            assertThat(db.rows("SELECT pk, properties ->> 'email', properties ->> 'age', properties ->> 'total', "
                    + "properties ->> 'lastCode', (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(invalid) k) "
                    + "FROM dromedary.records ORDER BY pk")).containsExactly(
                    java.util.Arrays.asList("1", "u1@x.org", "30", "15", null, "lastCode"),
                    java.util.Arrays.asList("2", "u2@x.org", null, "0", null, "age"),
                    java.util.Arrays.asList("3", "u3@x.org", "30", "8", "42", null),
                    java.util.Arrays.asList("4", "u4@x.org", "30", "0", null, null),
                    java.util.Arrays.asList("5", "u5@x.org", "30", "0", null, null));
            assertThat(db.queryLong("SELECT max(seq) FROM dromedary.records")).isEqualTo(5);
        }
    }

    @Test
    void aSecondaryThatHasRunBefore_isLeftToItsOwnRuns() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), SYNC, dir)) {
            h.importOnce("purchases");
            h.runOnce("users");
            assertThat(totals()).isEqualTo(EXPECTED);
            assertThat(enrichedBySecondary()).as("records computed by the properties step").isEqualTo(5);
        }
    }

    @Test
    void aSecondaryRunningElsewhere_isNotTakenOver() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), SYNC, dir);
             Connection other = db.connect(); Statement st = other.createStatement()) {
            // Another node holds the secondary's run lock.
            st.execute("SELECT pg_advisory_lock(hashtextextended('dromedary:import:purchases', 0))");
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> h.runOnce("users"));
            // The import queues its records for the properties step, which then waits for the lock.
            await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong(
                    "SELECT count(*) FROM dromedary.enrich_queue WHERE source = 'purchases'") == 5);
            assertThat(run).isNotDone();
            st.execute("SELECT pg_advisory_unlock_all()");
            run.get(30, TimeUnit.SECONDS);
            assertThat(totals()).isEqualTo(EXPECTED);
            assertThat(enrichedBySecondary()).isEqualTo(5);
        }
    }
}
