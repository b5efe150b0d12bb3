package dev.dromedary.it;

import static dev.dromedary.it.DromedaryHarness.srcAndWarehouse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
 * Within a source's run, the model's exports follow the import page by page, up to the first record that still
 * waits for a secondary source's properties; the rest waits for the import, the properties step and the group
 * evaluation.
 */
class FollowingExportIT {
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
                schedule: { column: updated_at, every: 1h, pageSize: 100 }
            SECONDARY
            destinations:
              - id: customers
                app: warehouse
                table: customers
                primaryKey: id
                syncMode: sync
                batchSize: 100
                mappings: { id: userId, email: email }
            """;

    /** A secondary on a full schedule is not read by the first import: new records wait for its properties step. */
    private static final String FULL_SECONDARY = """
              - id: purchases
                app: crm
                table: purchases
                mapping: { column: user_id, property: userId }
                properties:
                  - { name: total, column: amount, type: float, aggregation: sum }
                schedule: { every: 1h }
            """;

    /** A same-App incremental secondary: the first import reads it in its own pages, so records are complete. */
    private static final String INLINE_SECONDARY = """
              - id: purchases
                app: crm
                table: purchases
                mapping: { column: user_id, property: userId }
                properties:
                  - { name: total, column: amount, type: float, aggregation: sum }
                schedule: { column: updated_at, every: 1h }
            """;

    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE SCHEMA src", "CREATE SCHEMA dst",
                "CREATE TABLE src.users (id int PRIMARY KEY, email text, updated_at timestamptz NOT NULL)",
                "INSERT INTO src.users SELECT g, 'u' || g || '@x.org', now() - interval '1 hour' + g * interval '1 ms' "
                        + "FROM generate_series(1, 1000) g",
                "CREATE TABLE src.purchases (id serial PRIMARY KEY, user_id int, amount numeric(10,2), "
                        + "updated_at timestamptz NOT NULL DEFAULT now() - interval '1 hour')",
                "INSERT INTO src.purchases (user_id, amount) SELECT g, 10 FROM generate_series(1, 1000) g",
                "CREATE TABLE dst.customers (id int PRIMARY KEY, email text, total numeric)");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }


    /** Export runs of the destination: started before the import ended, status, rows inserted. */
    private List<List<String>> exportRuns() throws Exception {
        return db.rows("SELECT x.started_at < i.ended_at, x.status, x.inserted::text FROM dromedary.runs x, "
                + "dromedary.runs i WHERE x.kind = 'export' AND i.kind = 'import' AND i.name = 'users' ORDER BY x.id");
    }

    /** Holds the import inside its second page's transaction, once the first page is committed. */
    private void blockSecondPage(Statement holder) throws Exception {
        db.execute("""
                CREATE FUNCTION public.wait_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  PERFORM pg_advisory_xact_lock_shared(4711);
                  RETURN NEW;
                END $$""",
                "CREATE TRIGGER hold BEFORE INSERT ON dromedary.records FOR EACH ROW WHEN (NEW.pk = '150') "
                        + "EXECUTE FUNCTION public.wait_for_test()");
        holder.execute("SELECT pg_advisory_lock(4711)");
    }

    /** The import's pages after its first (of a run from now on) wait while advisory lock 4712 is held. */
    private void holdPagesAfterTheFirst() throws Exception {
        db.execute("CREATE SEQUENCE IF NOT EXISTS public.page_calls", "ALTER SEQUENCE public.page_calls RESTART",
                """
                CREATE OR REPLACE FUNCTION public.hold_pages() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF nextval('public.page_calls') > 1 THEN
                    PERFORM pg_advisory_xact_lock_shared(4712);
                  END IF;
                  RETURN NULL;
                END $$""",
                "CREATE OR REPLACE TRIGGER hold_pages BEFORE INSERT ON dromedary.records FOR EACH STATEMENT "
                        + "EXECUTE FUNCTION public.hold_pages()");
    }

    /**
     * Runs users, holding the import's pages after its first until an export follows it: which export starts first
     * is then not left to the threads' timing.
     */
    private void runFollowed(DromedaryHarness h, Statement holder) throws Exception {
        holdPagesAfterTheFirst();
        long exports = db.queryLong("SELECT count(*) FROM dromedary.runs WHERE kind = 'export'");
        holder.execute("SELECT pg_advisory_lock(4712)");
        CompletableFuture<Void> run;
        try {
            run = CompletableFuture.runAsync(() -> h.runOnce("users"));
            await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong(
                    "SELECT count(*) FROM dromedary.runs WHERE kind = 'export'") > exports);
        } finally {
            holder.execute("SELECT pg_advisory_unlock(4712)");
        }
        run.get(60, TimeUnit.SECONDS);
    }

    @Test
    void exportsFollowTheImportsCommittedPages_beforeItEnds() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC.replace("SECONDARY", ""), dir);
             Connection other = db.connect(); Statement holder = other.createStatement()) {
            blockSecondPage(holder);

            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> h.runOnce("users"));
            // The first page is committed and the second is held: the first page's records reach the destination.
            await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong("SELECT count(*) FROM dst.customers") == 100);
            assertThat(run).isNotDone();
            holder.execute("SELECT pg_advisory_unlock_all()");
            run.get(60, TimeUnit.SECONDS);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(1000);
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE email = 'u' || id || '@x.org'")).isEqualTo(1000);
        // The following export sent every record; the export after the import found nothing left.
        assertThat(exportRuns()).containsExactly(List.of("t", "succeeded", "1000"), List.of("f", "succeeded", "0"));
    }

    /**
     * Holds, until the holder's session lets go of each lock: the import's pages after the first (4712), its third
     * page once more (4711), and every write of the export to the destination (4713).
     */
    private void holdSecondAndThirdPageAndDestination(Statement holder) throws Exception {
        holdPagesAfterTheFirst();
        db.execute("""
                CREATE FUNCTION public.hold_on() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  PERFORM pg_advisory_xact_lock_shared(TG_ARGV[0]::bigint);
                  RETURN NEW;
                END $$""",
                "CREATE TRIGGER hold_third BEFORE INSERT ON dromedary.records FOR EACH ROW WHEN (NEW.pk = '250') "
                        + "EXECUTE FUNCTION public.hold_on(4711)",
                "CREATE TRIGGER hold_destination BEFORE INSERT ON dst.customers FOR EACH STATEMENT "
                        + "EXECUTE FUNCTION public.hold_on(4713)");
        holder.execute("SELECT pg_advisory_lock(4711), pg_advisory_lock(4712), pg_advisory_lock(4713)");
    }

    /** Whether some session waits on a lock of a relation in a statement starting with {@code sql}. */
    private boolean waitingForRelation(String sql) throws Exception {
        return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = "
                + "'relation' AND query LIKE '" + sql + "%'") > 0;
    }

    /** Whether some session waits for advisory lock {@code key}. */
    private boolean waitingOn(long key) throws Exception {
        return db.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = " + key
                + " AND NOT granted") > 0;
    }

    /** The second batch goes out as it was planned ahead, with no plan made again; then the run is let go. */
    private void secondBatchGoesOutAsPlannedAhead_thenTheRest(StatementCounter counter, CompletableFuture<Void> run,
                                                             Statement holder) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong("SELECT count(*) FROM dst.customers") == 200);
        assertThat(counter.watchedExecuted.get()).isEqualTo(2);
        assertThat(run).isNotDone();

        holder.execute("SELECT pg_advisory_unlock_all()");
        run.get(60, TimeUnit.SECONDS);
    }

    @Test
    void pagesTheImportCommitsWhileABatchIsPlanned_arePlannedWhileThatBatchIsWritten() throws Exception {
        StatementCounter counter = new StatementCounter();
        // Batches of 200 over pages of 100: the first plan finds one page's records, fewer than a batch.
        String sync = SYNC.replace("SECONDARY", "").replace("batchSize: 100", "batchSize: 200");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync, dir, counter::wrap);
             Connection other = db.connect(); Statement holder = other.createStatement();
             Connection locker = db.connect(); Statement plans = locker.createStatement()) {
            counter.watched = "SELECT r.seq, r.pk";
            holdSecondAndThirdPageAndDestination(holder);
            // Plans read exports: they wait while this lock is held.
            locker.setAutoCommit(false);
            plans.execute("LOCK TABLE dromedary.exports IN ACCESS EXCLUSIVE MODE");

            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> h.runOnce("users"));
            // The export follows the first page: its plan, bounded by that page, waits for the lock.
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForRelation("SELECT r.seq, r.pk"));
            // The second page commits; the third waits.
            holder.execute("SELECT pg_advisory_unlock(4712)");
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOn(4711));
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.records")).isEqualTo(200);
            locker.commit();
            // The first batch is written (and held there): meanwhile the second page's records are planned.
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOn(4713));
            await().atMost(Duration.ofSeconds(30)).until(() -> counter.watchedExecuted.get() == 2);
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isZero();
            // Both batches go out, the second as planned ahead: no plan is made again.
            holder.execute("SELECT pg_advisory_unlock(4713)");
            secondBatchGoesOutAsPlannedAhead_thenTheRest(counter, run, holder);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE email = 'u' || id || '@x.org'")).isEqualTo(1000);
        assertThat(exportRuns()).containsExactly(List.of("t", "succeeded", "1000"), List.of("f", "succeeded", "0"));
    }

    @Test
    void aPageTheImportCommitsWhileABatchIsWritten_isPlannedBeforeThatBatchIsRemembered() throws Exception {
        StatementCounter counter = new StatementCounter();
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC.replace("SECONDARY", ""), dir,
                counter::wrap);
             Connection other = db.connect(); Statement holder = other.createStatement();
             Connection locker = db.connect(); Statement exports = locker.createStatement()) {
            counter.watched = "SELECT r.seq, r.pk";
            holdSecondAndThirdPageAndDestination(holder);

            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> h.runOnce("users"));
            // The first page's batch is planned (the second page is held, so nothing is planned ahead) and written.
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOn(4713));
            assertThat(counter.watchedExecuted.get()).isEqualTo(1);
            // Plans and the remembering of a batch read or write exports: both wait while this lock is held.
            locker.setAutoCommit(false);
            exports.execute("LOCK TABLE dromedary.exports IN ACCESS EXCLUSIVE MODE");
            // While the batch is at the destination, the second page commits; the third waits.
            holder.execute("SELECT pg_advisory_unlock(4712)");
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOn(4711));
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.records")).isEqualTo(200);
            holder.execute("SELECT pg_advisory_unlock(4713)");
            // The batch commits at the destination; the second page is planned beside remembering the first.
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForRelation("SELECT r.seq, r.pk")
                    && waitingForRelation("COPY \"dromedary\".\"exports\""));
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(100);
            locker.commit();
            // The second batch goes out as planned then: no plan is made again.
            secondBatchGoesOutAsPlannedAhead_thenTheRest(counter, run, holder);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE email = 'u' || id || '@x.org'")).isEqualTo(1000);
        assertThat(db.queryLong("SELECT count(*) FROM dromedary.exports")).isEqualTo(1000);
        assertThat(exportRuns()).containsExactly(List.of("t", "succeeded", "1000"), List.of("f", "succeeded", "0"));
    }

    /** Runs {@code hook} once, after the first export plan's query has run and before its rows are read. */
    private static javax.sql.DataSource afterFirstPlan(javax.sql.DataSource ds, Runnable hook) {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        ClassLoader loader = FollowingExportIT.class.getClassLoader();
        return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(loader,
                new Class<?>[] {javax.sql.DataSource.class}, (p, m, args) -> {
                    Object result = invoke(ds, m, args);
                    if (!(result instanceof Connection c)) {
                        return result;
                    }
                    return java.lang.reflect.Proxy.newProxyInstance(loader, new Class<?>[] {Connection.class},
                            (p2, m2, args2) -> {
                                Object made = invoke(c, m2, args2);
                                if (!(made instanceof java.sql.PreparedStatement ps && args2[0] instanceof String sql
                                        && sql.startsWith("SELECT r.seq, r.pk"))) {
                                    return made;
                                }
                                return java.lang.reflect.Proxy.newProxyInstance(loader,
                                        new Class<?>[] {java.sql.PreparedStatement.class}, (p3, m3, args3) -> {
                                            Object out = invoke(ps, m3, args3);
                                            if (m3.getName().equals("executeQuery") && done.compareAndSet(false, true)) {
                                                hook.run();
                                            }
                                            return out;
                                        });
                            });
                });
    }

    /** User 5, deleted by another writer after the first batch sent it, is not left in the destination. */
    private void everyUserButTheDeletedFifthIsSent() throws Exception {
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE id = 5")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(999);
        assertThat(db.queryLong("SELECT count(*) FROM dromedary.runs WHERE status <> 'succeeded'")).isZero();
    }

    @Test
    void aRecordOfTheBatchInFlight_changedAgainBeforeThePlanMadeAhead_isPlannedAgainAfterThatBatch() throws Exception {
        StatementCounter counter = new StatementCounter();
        java.util.concurrent.atomic.AtomicBoolean changed = new java.util.concurrent.atomic.AtomicBoolean();
        String sync = SYNC.replace("SECONDARY", "").replace("batchSize: 100", "batchSize: 200");
        try (Connection other = db.connect(); Statement holder = other.createStatement()) {
            // Once the first plan has read user 5 (to insert it), user 5 is deleted, as another writer of the model
            // would, and the import's second page commits: the plan made ahead then finds the deletion, before the
            // first batch has said that user 5 was sent.
            Runnable deleteUser5 = () -> {
                try {
                    db.execute("UPDATE dromedary.records SET deleted_at = now(), seq = nextval('dromedary.record_seq') "
                            + "WHERE model = 'users' AND pk = '5'");
                    holder.execute("SELECT pg_advisory_unlock(4712)");
                    await().atMost(Duration.ofSeconds(30)).until(() -> waitingOn(4711));
                    changed.set(true);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync, dir,
                    ds -> afterFirstPlan(counter.wrap(ds), deleteUser5))) {
                counter.watched = "SELECT r.seq, r.pk";
                holdSecondAndThirdPageAndDestination(holder);

                CompletableFuture<Void> run = CompletableFuture.runAsync(() -> h.runOnce("users"));
                await().atMost(Duration.ofSeconds(30)).until(changed::get);
                // The first batch is held at the destination until the plan made ahead has run.
                await().atMost(Duration.ofSeconds(30)).until(() -> counter.watchedExecuted.get() >= 2);
                assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isZero();
                holder.execute("SELECT pg_advisory_unlock_all()");
                run.get(60, TimeUnit.SECONDS);
            }
        }
        // User 5 was sent by the first batch and deleted by the next: it is not left in the destination.
        everyUserButTheDeletedFifthIsSent();
    }

    @Test
    void aRecordOfTheBatchInFlight_changedAgainWhileThatBatchIsWritten_isNotPlannedFromBeforeItsExport() throws Exception {
        StatementCounter counter = new StatementCounter();
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC.replace("SECONDARY", ""), dir,
                counter::wrap);
             Connection other = db.connect(); Statement holder = other.createStatement()) {
            counter.watched = "SELECT r.seq, r.pk";
            holdSecondAndThirdPageAndDestination(holder);
            // Remembering a batch (its exports rows) waits while lock 4714 is held; plans only read exports.
            db.execute("CREATE TRIGGER hold_exports BEFORE INSERT ON dromedary.exports FOR EACH STATEMENT "
                    + "EXECUTE FUNCTION public.hold_on(4714)");
            holder.execute("SELECT pg_advisory_lock(4714)");

            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> h.runOnce("users"));
            // The first page's batch (users 1 to 100) is at the destination. Another writer of the model deletes
            // user 5, and the import's second page commits: the next batch's window now holds user 5 again.
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOn(4713));
            db.execute("UPDATE dromedary.records SET deleted_at = now(), seq = nextval('dromedary.record_seq') "
                    + "WHERE model = 'users' AND pk = '5'");
            holder.execute("SELECT pg_advisory_unlock(4712)");
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOn(4711));
            // The batch commits at the destination, and the next one is planned ahead while its exports rows wait:
            // that plan reads user 5 as never sent.
            holder.execute("SELECT pg_advisory_unlock(4713)");
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOn(4714) && counter.watchedExecuted.get() == 2
                    && db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                            + "AND query LIKE 'SELECT r.seq, r.pk%'") == 0);
            // Once the batch is remembered, that plan is not used: the next batch is planned again and sees user 5
            // as sent and now deleted. The window's 200 users go out but user 5, before the third page commits.
            holder.execute("SELECT pg_advisory_unlock(4714)");
            await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong("SELECT count(*) FROM dst.customers") == 199);
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE id = 5")).isZero();
            holder.execute("SELECT pg_advisory_unlock_all()");
            run.get(60, TimeUnit.SECONDS);
        }
        everyUserButTheDeletedFifthIsSent();
    }

    @Test
    void recordsStillWaitingForASecondarysProperties_areExportedOnlyAfterTheImport() throws Exception {
        String sync = SYNC.replace("SECONDARY", FULL_SECONDARY).replace("email: email }", "email: email, total: total }");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync, dir);
             Connection other = db.connect(); Statement holder = other.createStatement()) {
            // The first page's records wait for the properties step: no export follows (and none is recorded).
            h.runOnce("users");
            assertThat(exportRuns()).containsExactly(List.of("f", "succeeded", "1000"));
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE total = 10")).isEqualTo(1000);

            // Then 100 users change (the next run's first page) and 50 new ones arrive after them (its second). A queue
            // entry of a source no longer configured is left alone: it does not hold the following export back.
            db.execute("INSERT INTO dromedary.enrich_queue (source, model, pk) VALUES ('removed-source', 'users', '5')","UPDATE src.users SET email = 'new' || id || '@x.org', updated_at = now() WHERE id <= 100",
                    "INSERT INTO src.users SELECT g, 'u' || g || '@x.org', now() "
                            + "FROM generate_series(1001, 1050) g",
                    "INSERT INTO src.purchases (user_id, amount) SELECT g, 7 FROM generate_series(1001, 1050) g");
            runFollowed(h, holder);
        }
        // The changed users went out with the import; the new ones only after the properties step gave them their
        // total: inserted once, complete, never first without it.
        assertThat(db.rows("SELECT x.started_at < i.ended_at, x.inserted::text, x.updated::text FROM dromedary.runs x, "
                + "dromedary.runs i WHERE x.kind = 'export' AND i.kind = 'import' AND i.name = 'users' AND i.id = "
                + "(SELECT max(id) FROM dromedary.runs WHERE kind = 'import' AND name = 'users') AND x.id > i.id "
                + "ORDER BY x.id")).containsExactly(List.of("t", "0", "100"), List.of("f", "50", "0"));
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE email = 'new' || id || '@x.org'"))
                .isEqualTo(100);
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE id > 1000 AND total = 7")).isEqualTo(50);
    }

    @Test
    void aFirstImportThatReadsItsSecondaryInItsPages_isFollowed_withTheSecondarysValues() throws Exception {
        String sync = SYNC.replace("SECONDARY", INLINE_SECONDARY).replace("email: email }", "email: email, total: total }");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync, dir);
             Connection other = db.connect(); Statement holder = other.createStatement()) {
            runFollowed(h, holder);
        }
        assertThat(exportRuns()).containsExactly(List.of("t", "succeeded", "1000"), List.of("f", "succeeded", "0"));
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE total = 10")).isEqualTo(1000);
    }

    @Test
    void anImportFailingMidRun_endsTheExportFollowingIt_andTheNextRunSendsTheRest() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC.replace("SECONDARY", ""), dir);
             Connection other = db.connect(); Statement holder = other.createStatement()) {
            db.execute("""
                    CREATE FUNCTION public.fail_at_250() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      RAISE EXCEPTION 'injected fault' USING ERRCODE = '42501';
                    END $$""",
                    "CREATE TRIGGER fault BEFORE INSERT ON dromedary.records FOR EACH ROW WHEN (NEW.pk = '250') "
                            + "EXECUTE FUNCTION public.fail_at_250()");
            assertThatThrownBy(() -> runFollowed(h, holder)).hasStackTraceContaining("injected fault");
            // The following export ends with the pages committed before the failure, and frees the destination.
            await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong(
                    "SELECT count(*) FROM dromedary.runs WHERE kind = 'export' AND status <> 'running'") == 1);
            assertThat(db.rows("SELECT status, inserted::text FROM dromedary.runs WHERE kind = 'export'"))
                    .containsExactly(List.of("succeeded", "200"));
            db.execute("DROP TRIGGER fault ON dromedary.records");
            runFollowed(h, holder);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(1000);
        assertThat(db.queryLong("SELECT count(DISTINCT id) FROM dst.customers")).isEqualTo(1000);
        assertThat(db.rows("SELECT status, inserted::text FROM dromedary.runs WHERE kind = 'export' ORDER BY id"))
                .containsExactly(List.of("succeeded", "200"), List.of("succeeded", "800"), List.of("succeeded", "0"));
    }

    @Test
    void aRecordTheFollowingExportRefused_isTriedAgainInTheNextRun_notInTheExportAfterTheImport() throws Exception {
        db.execute("ALTER TABLE dst.customers ADD CONSTRAINT no_500 CHECK (id <> 500)");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC.replace("SECONDARY", ""), dir);
             Connection other = db.connect(); Statement holder = other.createStatement()) {
            runFollowed(h, holder);
            assertThat(db.rows("SELECT failed::text FROM dromedary.runs WHERE kind = 'export' ORDER BY id"))
                    .containsExactly(List.of("1"), List.of("0"));
            runFollowed(h, holder);
            // Nothing changed at the source, so no export followed: the export after the import tries the refused
            // record again.
            assertThat(db.rows("SELECT failed::text FROM dromedary.runs WHERE kind = 'export' ORDER BY id"))
                    .containsExactly(List.of("1"), List.of("0"), List.of("1"));
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(999);
        assertThat(db.rows("SELECT pk FROM dromedary.export_errors")).containsExactly(List.of("500"));
    }

    @Test
    void aFollowingExportThatFails_leavesTheRestToTheExportAfterTheImport() throws Exception {
        db.execute("CREATE SEQUENCE public.fault_calls",
                """
                CREATE FUNCTION public.fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF nextval('public.fault_calls') = 3 THEN
                    RAISE EXCEPTION 'injected fault' USING ERRCODE = '42501';
                  END IF;
                  RETURN NULL;
                END $$""",
                "CREATE TRIGGER fault AFTER INSERT ON dst.customers FOR EACH STATEMENT EXECUTE FUNCTION public.fail_once()");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC.replace("SECONDARY", ""), dir);
             Connection other = db.connect(); Statement holder = other.createStatement()) {
            runFollowed(h, holder);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(1000);
        assertThat(db.queryLong("SELECT count(DISTINCT id) FROM dst.customers")).isEqualTo(1000);
        assertThat(exportRuns()).containsExactly(List.of("t", "failed", "200"), List.of("f", "succeeded", "800"));
    }

    @Test
    void aPageWriteThatFails_endsTheFollowing_forTheRestOfTheImport() throws Exception {
        String sync = SYNC.replace("SECONDARY", FULL_SECONDARY);
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync, dir);
             Connection other = db.connect(); Statement holder = other.createStatement()) {
            h.runOnce("users");
            // Three pages of changed users; the store's session dies during the second page's merge, once. Had the
            // commit happened with its acknowledgement lost, the retried page could not tell which of its records
            // wait for the secondary: the following export stops at what was handed over before the failure.
            db.execute("UPDATE src.users SET email = 'new' || id || '@x.org', updated_at = now() WHERE id <= 250",
                    "CREATE SEQUENCE public.store_kills",
                    """
                    CREATE FUNCTION public.kill_second() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF nextval('public.store_kills') = 2 THEN
                        PERFORM pg_terminate_backend(pg_backend_pid());
                      END IF;
                      RETURN NULL;
                    END $$""",
                    "CREATE TRIGGER kill AFTER INSERT ON dromedary.records FOR EACH STATEMENT "
                            + "EXECUTE FUNCTION public.kill_second()");
            runFollowed(h, holder);
        }
        assertThat(db.queryLong("SELECT nextval('public.store_kills')")).as("the page was retried").isGreaterThan(4);
        assertThat(db.rows("SELECT x.started_at < i.ended_at, x.updated::text FROM dromedary.runs x, dromedary.runs i "
                + "WHERE x.kind = 'export' AND i.kind = 'import' AND i.name = 'users' AND i.id = (SELECT max(id) FROM "
                + "dromedary.runs WHERE kind = 'import' AND name = 'users') AND x.id > i.id ORDER BY x.id"))
                .containsExactly(List.of("t", "100"), List.of("f", "150"));
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE email = 'new' || id || '@x.org'"))
                .isEqualTo(250);
    }

    /** Throws an Error (not an Exception) when the store is asked for the records merge while armed. */
    private static javax.sql.DataSource erring(javax.sql.DataSource ds, java.util.concurrent.atomic.AtomicInteger armed) {
        return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(FollowingExportIT.class.getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (p, m, args) -> {
                    Object result = invoke(ds, m, args);
                    if (!(result instanceof Connection c)) {
                        return result;
                    }
                    return java.lang.reflect.Proxy.newProxyInstance(FollowingExportIT.class.getClassLoader(),
                            new Class<?>[] {Connection.class}, (p2, m2, args2) -> {
                                if (m2.getName().equals("prepareStatement") && args2[0] instanceof String sql
                                        && sql.contains("INSERT INTO \"dromedary\".\"records\"")
                                        && armed.decrementAndGet() == 0) {
                                    throw new AssertionError("injected error");
                                }
                                return invoke(c, m2, args2);
                            });
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void anErrorInAPage_endsTheImportAndItsFollowingExport_andTheNextRunGoesOn() throws Exception {
        java.util.concurrent.atomic.AtomicInteger armed = new java.util.concurrent.atomic.AtomicInteger(3);
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), SYNC.replace("SECONDARY", ""), dir,
                ds -> erring(ds, armed))) {
            // The third page's merge throws an AssertionError: an Error, which Camel's onException(Exception) only
            // sees wrapped. The run must still end, and free its gates.
            assertThatThrownBy(() -> h.runOnce("users")).hasStackTraceContaining("injected error");
            await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong(
                    "SELECT count(*) FROM dromedary.runs WHERE status = 'running'") == 0);
            assertThat(db.rows("SELECT kind, status FROM dromedary.runs WHERE kind = 'import' ORDER BY id"))
                    .containsExactly(List.of("import", "failed"));
            CompletableFuture.runAsync(() -> h.runOnce("users")).get(60, TimeUnit.SECONDS);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(1000);
        assertThat(db.rows("SELECT status FROM dromedary.runs WHERE kind = 'import' ORDER BY id"))
                .containsExactly(List.of("failed"), List.of("succeeded"));
    }
}
