package dev.dromedary.it;

import static dev.dromedary.it.DromedaryHarness.srcAndWarehouse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dromedary.run.RunCounts;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The foundation end to end: a 10,000-row table synced through the record store into another table. */
class TableSyncIT {
    private static final String SYNC = """
            model:
              name: users
              primaryKey: userId
            sources:
              - id: crm-users
                app: crm
                table: users
                mapping: { column: id, property: userId }
                properties:
                  - { name: email, column: email, type: email }
                  - { name: firstName, column: first_name }
                  - { name: ltv, column: ltv, type: float }
                  - { name: active, column: active, type: boolean }
                  - { name: signedUp, column: created_at, type: timestamp }
                  - { name: note, column: note }
                schedule:
                  column: updated_at
                  every: 15m
                  pageSize: 700
            destinations:
              - id: warehouse-customers
                app: warehouse
                table: customers
                primaryKey: id
                batchSize: 900
                mappings:
                  id: userId
                  email: email
                  first_name: firstName
                  ltv: ltv
                  active: active
                  signed_up: signedUp
                  note: note
            """;

    /** Source and destination rows must be equal column for column, both ways. */
    private static final String DIFFERENCE = """
            SELECT count(*) FROM (
              (SELECT id, email, first_name, ltv, active, created_at, note FROM src.users
               EXCEPT ALL SELECT id, email, first_name, ltv, active, signed_up, note FROM dst.customers)
              UNION ALL
              (SELECT id, email, first_name, ltv, active, signed_up, note FROM dst.customers
               EXCEPT ALL SELECT id, email, first_name, ltv, active, created_at, note FROM src.users)) d""";

    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE SCHEMA src", "CREATE SCHEMA dst",
                """
                CREATE TABLE src.users (id bigint PRIMARY KEY, email text NOT NULL, first_name text, ltv numeric(12,2),
                  active boolean, created_at timestamptz, note text, updated_at timestamptz NOT NULL)""",
                "CREATE INDEX ON src.users (updated_at, id)",
                """
                INSERT INTO src.users SELECT g, 'u' || g || '@example.com',
                  CASE WHEN g % 10 = 0 THEN NULL ELSE 'Name ' || g END, (g % 977) * 1.25, g % 3 = 0,
                  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',
                  CASE WHEN g % 100 = 0 THEN E'tab\\there, newline\\nthere, back\\\\slash, quote '' "' END,
                  timestamptz '2024-06-01 00:00:00+00' + (g % 37) * interval '1 second'
                FROM generate_series(1, 10000) g""",
                """
                CREATE TABLE dst.customers (id bigint PRIMARY KEY, email text, first_name text, ltv numeric(12,2),
                  active boolean, signed_up timestamptz, note text)""");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }


    @Test
    void initialSync_copiesEveryRowExactly_andASecondRunWritesNothing() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC, dir)) {
            RunCounts imported = h.importOnce("crm-users");
            assertThat(imported.rowsRead).isEqualTo(10_000);
            assertThat(imported.recordsCreated).isEqualTo(10_000);
            RunCounts exported = h.exportOnce("warehouse-customers");
            assertThat(exported.inserted).isEqualTo(10_000);
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(10_000);
            assertThat(db.queryLong(DIFFERENCE)).isZero();

            long xmaxBefore = db.queryLong("SELECT sum(xmin::text::bigint) FROM dst.customers");
            RunCounts again = h.importOnce("crm-users");
            RunCounts exportedAgain = h.exportOnce("warehouse-customers");
            assertThat(again.recordsCreated + again.recordsUpdated).isZero();
            assertThat(exportedAgain.inserted + exportedAgain.updated).isZero();
            assertThat(db.queryLong("SELECT sum(xmin::text::bigint) FROM dst.customers")).isEqualTo(xmaxBefore);
        }
    }

    @Test
    void updatingTenSourceRows_updatesExactlyThoseTen() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC, dir)) {
            h.importOnce("crm-users");
            h.exportOnce("warehouse-customers");
            db.execute("UPDATE src.users SET first_name = 'Changed ' || id, updated_at = now() WHERE id % 1000 = 7");

            RunCounts imported = h.importOnce("crm-users");
            RunCounts exported = h.exportOnce("warehouse-customers");

            assertThat(imported.rowsRead).isEqualTo(10);
            assertThat(imported.recordsUpdated).isEqualTo(10);
            assertThat(exported.updated).isEqualTo(10);
            assertThat(exported.inserted).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE first_name LIKE 'Changed %'")).isEqualTo(10);
            assertThat(db.queryLong(DIFFERENCE)).isZero();
        }
    }

    @Test
    void clearingAValue_setsTheColumnToNull() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC, dir)) {
            h.importOnce("crm-users");
            h.exportOnce("warehouse-customers");
            db.execute("UPDATE src.users SET first_name = NULL, updated_at = now() WHERE id = 42");
            h.importOnce("crm-users");
            assertThat(h.exportOnce("warehouse-customers").updated).isEqualTo(1);
            assertThat(db.rows("SELECT first_name FROM dst.customers WHERE id = 42")).containsExactly(
                    java.util.Collections.singletonList(null));
        }
    }

    /** A trigger function that fails the call numbered by its first argument with the SQLSTATE of its second. */
    private void createFailOnce() throws Exception {
        db.execute("CREATE SEQUENCE public.fault_calls",
                """
                CREATE FUNCTION public.fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF nextval('public.fault_calls') = TG_ARGV[0]::int THEN
                    RAISE EXCEPTION 'injected fault' USING ERRCODE = TG_ARGV[1];
                  END IF;
                  RETURN NULL;
                END $$""");
    }

    @Test
    void interruptedRuns_resumeFromTheCommittedCursor_withoutLossOrDuplicates() throws Exception {
        // Real database faults mid-run: the 4th cursor write fails; later the 3rd destination batch.
        createFailOnce();
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC, dir)) {
            db.execute("CREATE TRIGGER fault AFTER INSERT OR UPDATE ON dromedary.cursors "
                    + "FOR EACH ROW EXECUTE FUNCTION public.fail_once('4', '42501')");
            assertThatThrownBy(() -> h.importOnce("crm-users")).hasStackTraceContaining("injected fault");
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.records")).isEqualTo(3 * 700);
            db.execute("DROP TRIGGER fault ON dromedary.cursors", "ALTER SEQUENCE public.fault_calls RESTART",
                    "CREATE TRIGGER fault AFTER INSERT ON dst.customers "
                            + "FOR EACH STATEMENT EXECUTE FUNCTION public.fail_once('3', '42501')");
            RunCounts resumed = h.importOnce("crm-users");
            assertThat(resumed.rowsRead).isEqualTo(10_000 - 3 * 700);

            assertThatThrownBy(() -> h.exportOnce("warehouse-customers")).hasStackTraceContaining("injected fault");
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(2 * 900);
            RunCounts exported = h.exportOnce("warehouse-customers");
            assertThat(exported.inserted).isEqualTo(10_000 - 2 * 900);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(10_000);
        assertThat(db.queryLong("SELECT count(DISTINCT id) FROM dst.customers")).isEqualTo(10_000);
        assertThat(db.queryLong(DIFFERENCE)).isZero();
        assertThat(db.rows("SELECT kind, status FROM dromedary.runs ORDER BY id")).containsExactly(
                List.of("import", "failed"), List.of("import", "succeeded"),
                List.of("export", "failed"), List.of("export", "succeeded"));
    }

    @Test
    void aLostConnection_isRetriedWithinTheRun() throws Exception {
        createFailOnce();
        // The second write to the destination fails as a lost connection would.
        db.execute("CREATE TRIGGER fault AFTER INSERT ON dst.customers FOR EACH STATEMENT "
                + "EXECUTE FUNCTION public.fail_once('2', '08006')");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC, dir)) {
            h.importOnce("crm-users");
            RunCounts exported = h.exportOnce("warehouse-customers");
            assertThat(exported.inserted).isEqualTo(10_000);
            assertThat(exported.failed).isZero();
        }
        assertThat(db.queryLong(DIFFERENCE)).isZero();
        assertThat(db.rows("SELECT kind, status FROM dromedary.runs ORDER BY id")).containsExactly(
                List.of("import", "succeeded"), List.of("export", "succeeded"));
    }

    @Test
    void aStoreCommitFailingAfterTheDestinationsCommit_isRetriedWithinTheRun() throws Exception {
        // The second batch's destination rows are committed, then remembering them in the store fails once.
        createFailOnce();
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC, dir)) {
            db.execute("CREATE TRIGGER fault AFTER INSERT ON dromedary.exports FOR EACH STATEMENT "
                    + "EXECUTE FUNCTION public.fail_once('2', '40001')");
            h.importOnce("crm-users");
            RunCounts exported = h.exportOnce("warehouse-customers");
            // The batch planned again finds its rows already in the destination and writes none twice.
            assertThat(exported.inserted).isEqualTo(10_000);
            assertThat(exported.failed).isZero();
        }
        assertThat(db.queryLong("SELECT count(*) FROM dromedary.exports")).isEqualTo(10_000);
        assertThat(db.queryLong(DIFFERENCE)).isZero();
        assertThat(db.rows("SELECT kind, status FROM dromedary.runs ORDER BY id")).containsExactly(
                List.of("import", "succeeded"), List.of("export", "succeeded"));
    }

    @Test
    void terminatedSessions_onBothSides_areRetried_andTheRunEndsExact() throws Exception {
        // pg_terminate_backend on Dromedary's own session, in the middle of a page and of an export batch.
        db.execute("CREATE SEQUENCE public.store_kills", "CREATE SEQUENCE public.destination_kills",
                """
                CREATE FUNCTION public.kill_once() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF nextval(TG_ARGV[0]) = 3 THEN
                    PERFORM pg_terminate_backend(pg_backend_pid());
                  END IF;
                  RETURN NULL;
                END $$""");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC, dir)) {
            db.execute("CREATE TRIGGER kill AFTER INSERT OR UPDATE ON dromedary.records "
                    + "FOR EACH STATEMENT EXECUTE FUNCTION public.kill_once('public.store_kills')",
                    "CREATE TRIGGER kill AFTER INSERT ON dst.customers FOR EACH STATEMENT "
                            + "EXECUTE FUNCTION public.kill_once('public.destination_kills')");
            RunCounts imported = h.importOnce("crm-users");
            assertThat(imported.recordsCreated).isEqualTo(10_000);
            RunCounts exported = h.exportOnce("warehouse-customers");
            assertThat(exported.inserted).isEqualTo(10_000);
        }
        assertThat(db.queryLong("SELECT nextval('public.store_kills')")).as("the store's session was killed").isGreaterThan(3);
        assertThat(db.queryLong("SELECT nextval('public.destination_kills')")).as("the destination's too").isGreaterThan(3);
        assertThat(db.queryLong(DIFFERENCE)).isZero();
        assertThat(db.rows("SELECT kind, status FROM dromedary.runs ORDER BY id")).containsExactly(
                List.of("import", "succeeded"), List.of("export", "succeeded"));
    }

    /** A trigger that, on the third write to the store's records, terminates the session holding the run lock. */
    private void killRunLockOnThirdPage(String alsoDo) throws Exception {
        db.execute("CREATE SEQUENCE public.lock_kills",
                """
                CREATE FUNCTION public.kill_lock() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF nextval('public.lock_kills') = 3 THEN
                    PERFORM pg_terminate_backend(pid) FROM pg_locks
                    WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND granted;
                    %s
                  END IF;
                  RETURN NULL;
                END $$""".formatted(alsoDo));
    }

    private void armRunLockKill() throws Exception {
        db.execute("CREATE TRIGGER kill_lock AFTER INSERT OR UPDATE ON dromedary.records "
                + "FOR EACH STATEMENT EXECUTE FUNCTION public.kill_lock()");
    }

    @Test
    void aRunLockLostWithItsConnection_isTakenAgainWhenNoOtherRunStarted_andTheRunEndsExact() throws Exception {
        killRunLockOnThirdPage("");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC, dir)) {
            armRunLockKill();
            RunCounts imported = h.importOnce("crm-users");
            assertThat(imported.recordsCreated).isEqualTo(10_000);
            h.exportOnce("warehouse-customers");
        }
        assertThat(db.queryLong("SELECT nextval('public.lock_kills')")).as("pages after the kill").isGreaterThan(4);
        assertThat(db.queryLong(DIFFERENCE)).isZero();
        assertThat(db.rows("SELECT kind, status FROM dromedary.runs ORDER BY id")).containsExactly(
                List.of("import", "succeeded"), List.of("export", "succeeded"));
    }

    @Test
    void aRunLockLostWhileAnotherRunStarted_stopsTheRun() throws Exception {
        // As another node would, having taken the free lock: a run of the same source is recorded as started.
        killRunLockOnThirdPage("INSERT INTO dromedary.runs (kind, name, status, node) "
                + "VALUES ('import', 'crm-users', 'succeeded', 'other');");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC, dir)) {
            armRunLockKill();
            assertThatThrownBy(() -> h.importOnce("crm-users")).hasStackTraceContaining("run lock");
        }
        assertThat(db.rows("SELECT status, error LIKE '%run lock of import crm-users was lost%' FROM dromedary.runs "
                + "WHERE node IS DISTINCT FROM 'other' ORDER BY id")).containsExactly(List.of("failed", "t"));
    }

    @Test
    void aLockHeldTooLong_endsTheRunAtTheLockTimeout_andTheNextRunIsExact() throws Exception {
        Properties p = srcAndWarehouse(db);
        p.setProperty("dromedary.apps.warehouse.lock-timeout", "200ms");
        try (DromedaryHarness h = DromedaryHarness.start(p, SYNC, dir)) {
            h.importOnce("crm-users");
            try (java.sql.Connection locker = db.connect()) {
                locker.setAutoCommit(false);
                locker.createStatement().execute("LOCK TABLE dst.customers IN ACCESS EXCLUSIVE MODE");
                assertThatThrownBy(() -> h.exportOnce("warehouse-customers"))
                        .hasStackTraceContaining("canceling statement due to lock timeout");
                locker.rollback();
            }
            assertThat(h.exportOnce("warehouse-customers").inserted).isEqualTo(10_000);
        }
        assertThat(db.queryLong(DIFFERENCE)).isZero();
        assertThat(db.rows("SELECT status FROM dromedary.runs WHERE kind = 'export' ORDER BY id")).containsExactly(
                List.of("failed"), List.of("succeeded"));
    }

    @Test
    void rowsSharingOneCursorValue_areEachImportedOnce() throws Exception {
        db.execute("UPDATE src.users SET updated_at = timestamptz '2024-07-01 00:00:00+00'");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC.replace("pageSize: 700", "pageSize: 100"), dir)) {
            RunCounts imported = h.importOnce("crm-users");
            assertThat(imported.rowsRead).isEqualTo(10_000);
            assertThat(imported.recordsCreated).isEqualTo(10_000);
            assertThat(h.importOnce("crm-users").rowsRead).isZero();
            db.execute("INSERT INTO src.users (id, email, updated_at) VALUES (10001, 'late@example.com', "
                    + "timestamptz '2024-07-01 00:00:00+00')");
            RunCounts late = h.importOnce("crm-users");
            assertThat(late.rowsRead).isEqualTo(1);
            assertThat(late.recordsCreated).isEqualTo(1);
        }
    }
}
