package dev.dromedary.it;

import static dev.dromedary.it.DromedaryHarness.srcAndWarehouse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dromedary.config.DromedaryConfigException;
import dev.dromedary.destination.SyncMode;
import dev.dromedary.run.RunCounts;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Postgres Export Record under each sync mode, with the destination compared row for row. */
class DestinationIT {
    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE SCHEMA src", "CREATE SCHEMA dst",
                "CREATE TABLE src.users (id int PRIMARY KEY, email text, name text, updated_at timestamptz NOT NULL)",
                "INSERT INTO src.users SELECT g, 'u' || g || '@x.org', 'Name ' || g, now() - interval '1 hour' "
                        + "FROM generate_series(1, 5) g",
                "CREATE TABLE dst.customers (id int PRIMARY KEY, email varchar(30), name text)",
                "CREATE TABLE dst.by_email (email text PRIMARY KEY, name text)");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }


    private static String sync(SyncMode mode) {
        String m = dev.dromedary.config.Enums.configName(mode);
        return """
                model: { name: users, primaryKey: userId }
                sources:
                  - id: users
                    app: crm
                    table: users
                    mapping: { column: id, property: userId }
                    properties:
                      - { name: email, column: email }
                      - { name: name, column: name }
                    schedule: { column: updated_at, every: 1h, confirmRecords: true }
                destinations:
                  - id: customers
                    app: warehouse
                    table: customers
                    primaryKey: id
                    syncMode: MODE
                    mappings: { id: userId, email: email, name: name }
                  - id: by-email
                    app: warehouse
                    table: by_email
                    primaryKey: email
                    syncMode: MODE
                    mappings: { email: email, name: name }
                """.replace("MODE", m);
    }

    private List<List<String>> customers() throws Exception {
        return db.rows("SELECT id::text, email, name FROM dst.customers ORDER BY id");
    }

    private static List<String> row(int id, String email, String name) {
        return java.util.Arrays.asList(Integer.toString(id), email, name);
    }

    private void run(DromedaryHarness h) {
        h.runOnce("users");
    }

    /** The destination's counts in the last run of users: its export following the import and the one after. */
    private RunCounts lastExport(String destination) throws Exception {
        List<String> r = db.rows("SELECT sum(inserted), sum(updated), sum(deleted), sum(skipped), sum(refused), "
                + "sum(failed) FROM dromedary.runs WHERE kind = 'export' AND name = '" + destination + "' AND id > "
                + "(SELECT max(id) FROM dromedary.runs WHERE kind = 'import' AND name = 'users')").get(0);
        RunCounts n = new RunCounts();
        n.inserted = Long.parseLong(r.get(0));
        n.updated = Long.parseLong(r.get(1));
        n.deleted = Long.parseLong(r.get(2));
        n.skipped = Long.parseLong(r.get(3));
        n.refused = Long.parseLong(r.get(4));
        n.failed = Long.parseLong(r.get(5));
        return n;
    }

    @ParameterizedTest
    @EnumSource(SyncMode.class)
    void insertUpdateClearDeleteAndKeyChange(SyncMode mode) throws Exception {
        boolean enrich = mode == SyncMode.ENRICH;
        if (enrich) {
            // enrich only updates rows that exist already
            db.execute("INSERT INTO dst.customers VALUES (1, 'old', 'Old 1'), (2, 'old', 'Old 2'), (3, 'old', 'Old 3'), "
                    + "(4, 'old', 'Old 4')", "INSERT INTO dst.by_email VALUES ('u4@x.org', 'Old 4')");
        }
        StatementCounter counter = new StatementCounter();
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(mode), dir, counter::wrap)) {
            run(h);
            RunCounts first = lastExport("customers");
            if (enrich) {
                assertThat(first.updated).isEqualTo(4);
                assertThat(first.refused).as("user 5 has no row to enrich").isEqualTo(1);
                assertThat(customers()).containsExactly(row(1, "u1@x.org", "Name 1"), row(2, "u2@x.org", "Name 2"),
                        row(3, "u3@x.org", "Name 3"), row(4, "u4@x.org", "Name 4"));
            } else {
                assertThat(first.inserted).isEqualTo(5);
                assertThat(customers()).hasSize(5).contains(row(5, "u5@x.org", "Name 5"));
            }

            // nothing changed: not one statement reaches the destination tables
            counter.watched = "\"dst\"";
            counter.watchedExecuted.set(0);
            run(h);
            assertThat(counter.watchedExecuted.get()).isZero();

            // update, clear a column, delete a record, change a destination key
            db.execute("UPDATE src.users SET name = 'Changed', updated_at = now() WHERE id = 1",
                    "UPDATE src.users SET name = NULL, updated_at = now() WHERE id = 2",
                    "DELETE FROM src.users WHERE id = 3",
                    "UPDATE src.users SET email = 'new4@x.org', updated_at = now() WHERE id = 4");
            run(h);
            RunCounts second = lastExport("customers");
            assertThat(second.updated).isEqualTo(3);
            assertThat(second.failed).isZero();
            List<List<String>> expected = new java.util.ArrayList<>(List.of(row(1, "u1@x.org", "Changed"),
                    row(2, "u2@x.org", null)));
            if (mode != SyncMode.SYNC) {
                expected.add(row(3, enrich ? "u3@x.org" : "u3@x.org", "Name 3"));
                assertThat(second.refused).as("the delete is refused by " + mode).isEqualTo(1);
            } else {
                assertThat(second.deleted).isEqualTo(1);
            }
            expected.add(row(4, "new4@x.org", "Name 4"));
            if (!enrich) {
                expected.add(row(5, "u5@x.org", "Name 5"));
            }
            assertThat(customers()).containsExactlyElementsOf(expected);

            // the by-email destination's key changed for user 4
            List<List<String>> byEmail = db.rows("SELECT email, name FROM dst.by_email WHERE email LIKE '%4@x.org' ORDER BY email");
            switch (mode) {
                case SYNC -> assertThat(byEmail).as("moved").containsExactly(List.of("new4@x.org", "Name 4"));
                case ADDITIVE -> assertThat(byEmail).as("old row left").containsExactly(
                        List.of("new4@x.org", "Name 4"), List.of("u4@x.org", "Name 4"));
                case ENRICH -> assertThat(byEmail).as("no row under the new key to enrich").containsExactly(
                        List.of("u4@x.org", "Name 4"));
            }
        }
        assertThat(db.queryLong("SELECT count(*) FROM dromedary.records WHERE pk = '3'"))
                .as("the deleted record is purged once exported").isZero();
    }

    @ParameterizedTest
    @EnumSource(SyncMode.class)
    void oneBadRecordInABatchOfAThousand_failsAlone(SyncMode mode) throws Exception {
        db.execute("INSERT INTO src.users SELECT g, 'u' || g || '@x.org', 'Name ' || g, now() - interval '1 hour' "
                + "FROM generate_series(6, 1000) g",
                "UPDATE src.users SET email = repeat('x', 40) || '@x.org' WHERE id = 500");
        if (mode == SyncMode.ENRICH) {
            db.execute("INSERT INTO dst.customers SELECT g, 'old', 'old' FROM generate_series(1, 1000) g");
        }
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(mode).replace("primaryKey: id\n",
                "primaryKey: id\n    batchSize: 1000\n"), dir)) {
            run(h);
            RunCounts n = lastExport("customers");
            assertThat(mode == SyncMode.ENRICH ? n.updated : n.inserted).isEqualTo(999);
            assertThat(n.failed).isEqualTo(1);
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE email <> 'old'")).isEqualTo(999);
            assertThat(db.rows("SELECT pk, reason FROM dromedary.export_errors WHERE destination = 'customers'"))
                    .containsExactly(List.of("500", "value too long for type character varying(30)"));

            // fixed at the source: the next run exports it and clears the error
            db.execute("UPDATE src.users SET email = 'fixed@x.org', updated_at = now() WHERE id = 500");
            run(h);
            assertThat(db.rows("SELECT email FROM dst.customers WHERE id = 500")).containsExactly(List.of("fixed@x.org"));
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.export_errors")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(SyncMode.class)
    void aReplayedBatch_changesNothing(SyncMode mode) throws Exception {
        if (mode == SyncMode.ENRICH) {
            db.execute("INSERT INTO dst.customers SELECT g, 'old', 'old' FROM generate_series(1, 5) g");
        }
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(mode), dir)) {
            run(h);
            long before = db.queryLong("SELECT sum(xmin::text::bigint) FROM dst.customers");
            // As after a crash between the destination's commit and the store's: the batch is planned again.
            db.execute("DELETE FROM dromedary.exports", "DELETE FROM dromedary.export_cursors");
            RunCounts replay = h.exportOnce("customers");
            assertThat(replay.inserted + replay.updated).isZero();
            assertThat(db.queryLong("SELECT sum(xmin::text::bigint) FROM dst.customers")).isEqualTo(before);
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(5);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SyncMode.class, names = {"SYNC", "ADDITIVE"})
    void aFirstExport_goesInByCopy_andIntoATableHoldingSomeOfItsRows_upsertsThem(SyncMode mode) throws Exception {
        // by_email starts empty: its rows go in by COPY, without the upsert. customers holds user 2 as it is and
        // user 4 with old values, loaded before the first sync.
        db.execute("INSERT INTO dst.customers VALUES (2, 'u2@x.org', 'Name 2'), (4, 'old', 'Old 4')");
        StatementCounter byEmailUpserts = new StatementCounter();
        byEmailUpserts.watched = "INSERT INTO \"dst\".\"by_email\"";
        StatementCounter customersUpserts = new StatementCounter();
        customersUpserts.watched = "INSERT INTO \"dst\".\"customers\"";
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(mode), dir,
                ds -> customersUpserts.wrap(byEmailUpserts.wrap(ds)))) {
            run(h);

            assertThat(byEmailUpserts.watchedExecuted.get()).as("upserts into by_email").isZero();
            assertThat(db.queryLong("SELECT count(*) FROM dst.by_email")).isEqualTo(5);
            assertThat(customersUpserts.watchedExecuted.get()).as("upserts into customers").isPositive();
            RunCounts n = lastExport("customers");
            assertThat(List.of(n.inserted, n.updated, n.failed)).as("inserted, updated, failed")
                    .containsExactly(3L, 1L, 0L);
            assertThat(customers()).containsExactly(row(1, "u1@x.org", "Name 1"), row(2, "u2@x.org", "Name 2"),
                    row(3, "u3@x.org", "Name 3"), row(4, "u4@x.org", "Name 4"), row(5, "u5@x.org", "Name 5"));

            // A new user after the first sync: a record never sent, in a run that tries COPY again.
            int upserts = customersUpserts.watchedExecuted.get();
            db.execute("INSERT INTO src.users VALUES (6, 'u6@x.org', 'Name 6', now())");
            run(h);
            assertThat(lastExport("customers").inserted).isEqualTo(1);
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(6);
            assertThat(customersUpserts.watchedExecuted.get()).as("upserts into customers in the second run")
                    .isEqualTo(upserts);
        }
    }

    @Test
    void aFirstRowThatClashesOnAnotherUniqueIndex_failsAlone_andTheOthersStillGoInByCopy() throws Exception {
        db.execute("CREATE UNIQUE INDEX customers_email ON dst.customers (email)",
                "INSERT INTO dst.customers VALUES (100, 'u3@x.org', 'Someone else')");
        StatementCounter upserts = new StatementCounter();
        upserts.watched = "INSERT INTO \"dst\".\"customers\"";
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(SyncMode.SYNC), dir,
                upserts::wrap)) {
            run(h);

            RunCounts n = lastExport("customers");
            assertThat(List.of(n.inserted, n.failed)).as("inserted, failed").containsExactly(4L, 1L);
            assertThat(db.rows("SELECT pk FROM dromedary.export_errors WHERE destination = 'customers'"))
                    .containsExactly(List.of("3"));
            assertThat(upserts.watchedExecuted.get()).as("upserts into customers").isZero();
        }
    }

    @Test
    void exportsRememberedAsJson_beforeTheStoreKeptHashes_areComparedByTheirJson() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(SyncMode.SYNC), dir)) {
            run(h);
            // What a store written before V10 holds: the mapped values and group names as JSON, no key or hash;
            // and, as before V12, no record's created_seq.
            db.execute("UPDATE dromedary.records SET created_seq = NULL",
                    "UPDATE dromedary.exports e SET exported = jsonb_build_object('id', r.properties -> 'userId', "
                            + "'email', r.properties -> 'email', 'name', r.properties -> 'name'), "
                            + "exported_key = NULL, values_hash = NULL, groups = NULL "
                            + "FROM dromedary.records r WHERE r.pk = e.pk AND e.destination = 'customers'",
                    "UPDATE dromedary.export_cursors SET last_seq = 0 WHERE destination = 'customers'",
                    "UPDATE src.users SET name = 'Renamed', updated_at = now() WHERE id = 2",
                    "DELETE FROM src.users WHERE id = 3");
            h.runOnce("users");

            RunCounts n = lastExport("customers");
            assertThat(List.of(n.updated, n.deleted)).as("updated, deleted").containsExactly(1L, 1L);
            // 1, 4 and 5 are unchanged; so is 3 if the export following the import's pages looked at it before the
            // import's confirmation (after its pages) deleted it; the export after the import then deletes it.
            assertThat(n.skipped).as("unchanged").isBetween(3L, 4L);
            assertThat(customers()).containsExactly(List.of("1", "u1@x.org", "Name 1"), List.of("2", "u2@x.org", "Renamed"),
                    List.of("4", "u4@x.org", "Name 4"), List.of("5", "u5@x.org", "Name 5"));
            // The record exported again is remembered by key and hash; the unchanged ones keep their JSON.
            assertThat(db.rows("SELECT pk, coalesce(exported_key, '-'), values_hash IS NOT NULL, exported IS NULL FROM dromedary.exports "
                    + "WHERE destination = 'customers' ORDER BY pk")).containsExactly(List.of("1", "-", "f", "f"),
                    List.of("2", "2", "t", "t"), List.of("4", "-", "f", "f"), List.of("5", "-", "f", "f"));
        }
    }

    @Test
    void startupChecks_nameTheDestinationTableAndColumn() {
        String base = sync(SyncMode.SYNC);
        assertThatThrownBy(() -> DromedaryHarness.start(srcAndWarehouse(db), base.replace("table: customers", "table: clients"), dir))
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("destination 'customers'.table: table 'clients' does not exist in schema 'dst' of App 'warehouse'");
        assertThatThrownBy(() -> DromedaryHarness.start(srcAndWarehouse(db),
                base.replace("mappings: { id: userId, email: email, name: name }", "mappings: { id: userId, mail: email }"), dir))
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("destination 'customers'.mappings.mail: column 'mail' does not exist in table 'customers'");
        assertThatThrownBy(() -> DromedaryHarness.start(srcAndWarehouse(db),
                base.replace("- { name: name, column: name }", "- { name: name, column: name, array: true }"), dir))
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("destination 'customers'.mappings.name: property 'name' is an array and cannot be exported");
    }

    @Test
    void aDestinationKeyThatIsNotUnique_isRefusedAtStartup() throws Exception {
        db.execute("CREATE TABLE dst.loose (id int, email text)");
        String sync = sync(SyncMode.SYNC).replace("table: customers", "table: loose")
                .replace("mappings: { id: userId, email: email, name: name }", "mappings: { id: userId, email: email }");
        assertThatThrownBy(() -> DromedaryHarness.start(srcAndWarehouse(db), sync, dir))
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("destination 'customers'.primaryKey: column 'id' of table 'loose' is not unique");
    }

    @Test
    void aDestinationTableWithRules_orAMappedColumnGeneratedAlways_isRefusedAtStartup() throws Exception {
        db.execute("CREATE TABLE dst.ruled (id int PRIMARY KEY, email text, name text)",
                "CREATE TABLE dst.audit (id int)",
                "CREATE RULE ruled_audit AS ON INSERT TO dst.ruled DO ALSO INSERT INTO dst.audit VALUES (NEW.id)",
                "CREATE TABLE dst.numbered (n int GENERATED ALWAYS AS IDENTITY, id int PRIMARY KEY, email text, "
                        + "name text, upper_name text GENERATED ALWAYS AS (upper(name)) STORED)");
        String ruled = sync(SyncMode.SYNC).replace("table: customers", "table: ruled");
        assertThatThrownBy(() -> DromedaryHarness.start(srcAndWarehouse(db), ruled, dir))
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("destination 'customers'.table: table 'ruled' has rules");
        String numbered = sync(SyncMode.SYNC).replace("table: customers", "table: numbered")
                .replace("mappings: { id: userId, email: email, name: name }",
                        "mappings: { id: userId, n: userId, upper_name: name }");
        assertThatThrownBy(() -> DromedaryHarness.start(srcAndWarehouse(db), numbered, dir))
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("destination 'customers'.mappings.n: column 'n' of table 'numbered' is GENERATED ALWAYS")
                .hasMessageContaining("destination 'customers'.mappings.upper_name: column 'upper_name' of table 'numbered' is GENERATED ALWAYS");
    }

    @Test
    void aRefusedDeletion_isKeptAndRetried_untilItLands() throws Exception {
        db.execute("CREATE TABLE dst.orders (id int PRIMARY KEY, customer_id int REFERENCES dst.customers (id))");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(SyncMode.SYNC), dir)) {
            run(h);
            db.execute("INSERT INTO dst.orders VALUES (1, 3)", "DELETE FROM src.users WHERE id = 3");
            run(h);
            assertThat(lastExport("customers").failed).isEqualTo(1);
            assertThat(db.rows("SELECT pk, reason FROM dromedary.export_errors WHERE destination = 'customers'").get(0).get(1))
                    .contains("violates foreign key constraint");
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.records WHERE pk = '3'")).as("tombstone kept").isEqualTo(1);
            db.execute("DELETE FROM dst.orders");
            run(h);
            assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE id = 3")).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.export_errors")).isZero();
        }
        assertThat(db.queryLong("SELECT count(*) FROM dromedary.records WHERE pk = '3'")).as("then purged").isZero();
    }

    @Test
    void aRecordThatComesBackAfterItsTombstoneWasPurged_whileTheDestinationKeptItsRow_isWrittenOverIt() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(SyncMode.ADDITIVE), dir)) {
            run(h);
            db.execute("DELETE FROM src.users WHERE id = 3");
            run(h);
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.records WHERE pk = '3'")).as("purged").isZero();
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.exports WHERE pk = '3'"))
                    .as("additive kept the row, and the store remembers it").isEqualTo(2);

            // Created again, it is new to the store: planned as never sent, though exports still has its row.
            db.execute("INSERT INTO src.users VALUES (3, 'u3@x.org', 'Back', now())");
            run(h);
            RunCounts back = lastExport("customers");
            assertThat(back.inserted + back.updated).isEqualTo(1);
            assertThat(back.failed).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.runs WHERE status <> 'succeeded'")).isZero();
            assertThat(customers()).contains(row(3, "u3@x.org", "Back")).hasSize(5);
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.exports WHERE pk = '3'")).isEqualTo(2);
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.exports WHERE pk = '3' AND exported_at > "
                    + "(SELECT created_at FROM dromedary.records WHERE pk = '3')")).as("both rewritten").isEqualTo(2);

            // Its next change is compared with what was just sent.
            db.execute("UPDATE src.users SET name = 'Back again', updated_at = now() WHERE id = 3");
            run(h);
            assertThat(lastExport("customers").updated).isEqualTo(1);
            assertThat(customers()).contains(row(3, "u3@x.org", "Back again")).hasSize(5);
        }
    }

    @Test
    void aChangedMapping_sendsEveryRecordAgain() throws Exception {
        String before = sync(SyncMode.SYNC).replace("mappings: { id: userId, email: email, name: name }",
                "mappings: { id: userId, email: email }");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), before, dir)) {
            run(h);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE name IS NOT NULL")).isZero();
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(SyncMode.SYNC), dir)) {
            run(h);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE name = 'Name ' || id")).isEqualTo(5);
    }

    @Test
    void aFewChangesAmongManyExportedRecords_updateTheirExportsRowsInPlace() throws Exception {
        db.execute("INSERT INTO src.users SELECT g, 'u' || g || '@x.org', 'Name ' || g, now() - interval '1 hour' "
                + "FROM generate_series(6, 5000) g");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(SyncMode.SYNC), dir)) {
            run(h);
            db.execute("UPDATE src.users SET name = 'Renamed', updated_at = now() WHERE id % 100 = 0");
            run(h);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers WHERE name = 'Renamed'")).isEqualTo(50);
        // 50 records × 2 destinations. The pages of exports keep a fifth free (migration V9), so each update stays on
        // its page and adds no index entry (HOT); at fillfactor 100 the pages would be full and none could.
        String stats = "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
                + "WHERE schemaname = 'dromedary' AND relname = 'exports'";
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> Long.parseLong(db.rows(stats).get(0).get(0)) >= 100);
        assertThat(db.rows(stats)).containsExactly(List.of("100", "100"));
    }

    @Test
    void multiByteAndEscapedText_arrivesUnchanged_throughPagesLargerThanOneCopyChunk() throws Exception {
        // Accents, the euro sign, CJK, emoji (surrogate pairs in Java) and COPY's escapes, in pages of far more
        // than 64K characters, so a chunk boundary would split a character if the page were encoded piecewise.
        db.execute("INSERT INTO src.users SELECT g, 'u' || g || '@x.org', "
                + "repeat('é€中😀' || E'\\t\\\\\\n', 1 + g % 37) || g, now() - interval '1 hour' "
                + "FROM generate_series(6, 3000) g",
                "UPDATE src.users SET name = '🦄 ' || name || ' naïve café' WHERE id <= 5");
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(SyncMode.SYNC), dir)) {
            run(h);
        }
        assertThat(db.queryLong("SELECT max(length(name)) FROM src.users")).isGreaterThan(200);
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers c JOIN src.users u USING (id) "
                + "WHERE c.name = u.name AND c.email = u.email")).isEqualTo(3000);
    }

    @Test
    void aResync_waitsForTheDestinationsRunningExport_soItsLastBatchCannotPutBackWhatWasForgotten() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), sync(SyncMode.SYNC), dir);
             java.sql.Connection other = db.connect(); java.sql.Statement export = other.createStatement()) {
            run(h);
            // The lock an export of "customers" holds for its whole run, on any node.
            export.execute("SELECT pg_advisory_lock(hashtextextended('dromedary:export:customers', 0))");
            java.util.concurrent.CompletableFuture<Void> resync = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    h.dromedary().maintenance().forgetExports("customers");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(500))
                    .atMost(java.time.Duration.ofSeconds(5)).until(() -> !resync.isDone()
                            && db.queryLong("SELECT count(*) FROM dromedary.exports WHERE destination = 'customers'") == 5);
            export.execute("SELECT pg_advisory_unlock_all()");
            resync.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dromedary.exports WHERE destination = 'customers'")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM dromedary.export_cursors WHERE destination = 'customers'")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM dromedary.exports WHERE destination = 'by-email'")).isEqualTo(5);
    }

    @Test
    void recordOverview_showsEachRecordOnlyItsOwnModelsExports_whenTwoModelsShareKeys() throws Exception {
        db.execute("CREATE TABLE src.accounts (id int PRIMARY KEY, name text, updated_at timestamptz NOT NULL)",
                "INSERT INTO src.accounts SELECT g, 'Account ' || g, now() - interval '1 hour' FROM generate_series(1, 3) g",
                "CREATE TABLE dst.accounts_out (id int PRIMARY KEY, name text)");
        String accounts = """
                model: { name: accounts, primaryKey: accountId }
                sources:
                  - id: accounts
                    app: crm
                    table: accounts
                    mapping: { column: id, property: accountId }
                    properties:
                      - { name: name, column: name }
                    schedule: { column: updated_at, every: 1h }
                destinations:
                  - id: accounts-out
                    app: warehouse
                    table: accounts_out
                    primaryKey: id
                    syncMode: sync
                    mappings: { id: accountId, name: name }
                """;
        try (DromedaryHarness h = DromedaryHarness.start(srcAndWarehouse(db), List.of(sync(SyncMode.SYNC), accounts), dir)) {
            run(h);
            h.runOnce("accounts");
        }
        // users 1 and accounts 1 share the key "1": each shows only the exports of its own model's destinations.
        assertThat(db.rows("SELECT model, (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(last_exports) k) "
                + "FROM dromedary.record_overview WHERE pk = '1' ORDER BY model")).containsExactly(
                List.of("accounts", "accounts-out"), List.of("users", "by-email,customers"));
    }
}
