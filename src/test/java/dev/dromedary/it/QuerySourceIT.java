package dev.dromedary.it;

import static dev.dromedary.it.DromedaryHarness.oneApp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dromedary.config.DromedaryConfigException;
import dev.dromedary.run.RunCounts;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Postgres Import Query: properties and keys from custom SQL, bound safely, batched, read-only. */
class QuerySourceIT {
    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("""
                CREATE TABLE users (id int PRIMARY KEY, name text, status text, updated_at timestamptz NOT NULL DEFAULT now())""",
                "INSERT INTO users (id, name, status) VALUES (1, 'O''Donoghue', 'paid'), (2, '1; DROP TABLE users', 'paid'), "
                        + "(3, 'Ann', NULL)",
                """
                CREATE TABLE purchases (id serial PRIMARY KEY, user_id int, buyer text, amount numeric(10,2), item text,
                  status text, purchased_at date, created_at timestamptz NOT NULL DEFAULT now())""",
                """
                INSERT INTO purchases (user_id, buyer, amount, item, status, purchased_at) VALUES
                  (1, 'O''Donoghue', 10.50, 'hat', 'paid', '2024-01-01'),
                  (1, 'O''Donoghue', 2.25, 'pin', 'paid', '2024-01-03'),
                  (1, 'O''Donoghue', 99.00, 'car', 'refund', '2024-01-02'),
                  (2, '1; DROP TABLE users', 5.00, 'cup', 'paid', '2024-02-01')""");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    private static final String USERS = """
            model: { name: users, primaryKey: userId }
            sources:
              - id: users
                app: crm
                table: users
                primary: true
                mapping: { column: id, property: userId }
                properties:
                  - { name: name, column: name }
                  - { name: status, column: status }
                schedule: { column: updated_at, every: 1h }
            """;

    private static String querySource(String properties, String schedule) {
        return """
                  - id: spend
                    type: query
                    app: crm
                    properties:
                """ + properties.stripIndent().indent(6) + "    schedule: " + schedule + "\n";
    }

    private static final String PROPERTIES = """
                  - name: paidTotal
                    type: float
                    query: "SELECT sum(amount) FROM purchases WHERE user_id = {{ userId }} AND status = {{ status }}"
                  - name: byName
                    type: integer
                    query: "SELECT count(*) FROM purchases WHERE buyer = {{ name }}"
                  - name: lastItem
                    query: "SELECT item FROM purchases WHERE user_id = {{userId}} ORDER BY purchased_at DESC"
                  - name: firstDay
                    type: date
                    query: "SELECT min(purchased_at) FROM purchases WHERE user_id = {{ userId }}"
                  - name: items
                    array: true
                    query: "SELECT item FROM purchases WHERE user_id = {{ userId }} ORDER BY purchased_at"
            """;

    private String property(String pk, String name) throws Exception {
        return db.rows("SELECT properties ->> '" + name + "' FROM dromedary.records WHERE pk = '" + pk + "'").get(0).get(0);
    }

    @Test
    void queryProperties_withVariablesBoundAsData() throws Exception {
        String sync = USERS + querySource(PROPERTIES, "{ every: 1h, query: \"SELECT user_id FROM purchases\", property: userId }");
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            h.runOnce("users");
        }
        assertThat(property("1", "paidTotal")).isEqualTo("12.75");
        assertThat(property("1", "byName")).as("a name with a quote is data").isEqualTo("3");
        assertThat(property("2", "byName")).as("SQL in a value is data").isEqualTo("1");
        assertThat(property("1", "lastItem")).isEqualTo("pin");
        assertThat(property("1", "firstDay")).isEqualTo("2024-01-01");
        assertThat(db.rows("SELECT properties -> 'items' FROM dromedary.records WHERE pk = '1'").get(0).get(0))
                .isEqualTo("[\"hat\", \"car\", \"pin\"]");
        assertThat(db.rows("SELECT properties -> 'items' FROM dromedary.records WHERE pk = '3'").get(0).get(0)).isEqualTo("[]");
        assertThat(property("3", "paidTotal")).as("status is null: a missing variable gives no value").isNull();
        assertThat(property("3", "lastItem")).isNull();
        assertThat(db.queryLong("SELECT count(*) FROM users")).as("the source table is untouched").isEqualTo(3);
    }

    @Test
    void scheduleQuery_refreshesExistingRecordsOnly_whenItDoesNotOwnTheKey() throws Exception {
        String sync = USERS + querySource(PROPERTIES,
                "{ every: 1h, query: \"SELECT user_id FROM purchases WHERE created_at > now() - interval '2 days'\", property: userId }");
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            h.runOnce("users");
            db.execute("INSERT INTO purchases (user_id, buyer, amount, item, status, purchased_at) VALUES "
                    + "(1, 'x', 1.00, 'gum', 'paid', '2024-03-01'), (42, 'y', 1.00, 'ghost', 'paid', '2024-03-01')");
            RunCounts n = h.importOnce("spend");
            assertThat(n.recordsCreated).as("user 42 has no record: not created").isZero();
            assertThat(n.recordsUpdated).isEqualTo(1);
            assertThat(property("1", "lastItem")).isEqualTo("gum");
            assertThat(db.queryLong("SELECT count(*) FROM dromedary.records")).isEqualTo(3);
        }
    }

    @Test
    void scheduleQuery_createsRecords_whenItsSourceOwnsTheKey() throws Exception {
        String sync = """
                model: { name: buyers, primaryKey: buyerId }
                sources:
                  - id: buyers
                    type: query
                    app: crm
                    properties:
                      - { name: spent, type: float, query: "SELECT sum(amount) FROM purchases WHERE user_id = {{ buyerId }}" }
                    schedule: { every: 1h, pageSize: 1, query: "SELECT DISTINCT user_id FROM purchases ORDER BY 1 LIMIT 10", property: buyerId }
                """;
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            RunCounts n = h.importOnce("buyers");
            assertThat(n.recordsCreated).isEqualTo(2);
        }
        assertThat(property("1", "spent")).isEqualTo("111.75");
        assertThat(property("2", "spent")).isEqualTo("5");
    }

    @Test
    void queriesThatWriteOrDoNotParse_areRefusedAtStartup_namingSourceAndProperty() {
        String bad = USERS + querySource("""
                  - { name: a, query: "WITH d AS (DELETE FROM purchases RETURNING 1) SELECT count(*) FROM d" }
                  - { name: b, query: "DELETE FROM purchases" }
                  - { name: c, query: "SELECT sum(amount) FROM purchases WHERE user_id = {{ userId }} AND colour = 1" }
                  - { name: d, query: "SELEC 1" }
                  - { name: e, query: "SELECT 1; SELECT 2" }
                """, "{ every: 1h, query: \"SELECT user_id FROM purchases\", property: userId }");
        assertThatThrownBy(() -> DromedaryHarness.start(oneApp(db), bad, dir))
                .isInstanceOf(DromedaryConfigException.class)
                .satisfies(e -> assertThat(((DromedaryConfigException) e).problems()).containsExactly(
                        dir.resolve("test.sync.yaml") + ": source 'spend'.properties.a.query: is refused: it would write "
                                + "(DELETE); query sources only read",
                        dir.resolve("test.sync.yaml") + ": source 'spend'.properties.b.query: must be a single SELECT",
                        dir.resolve("test.sync.yaml") + ": source 'spend'.properties.c.query: column \"colour\" does not exist",
                        dir.resolve("test.sync.yaml") + ": source 'spend'.properties.d.query: must be a single SELECT",
                        dir.resolve("test.sync.yaml") + ": source 'spend'.properties.e.query: must be a single statement (no ';')"));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> db.queryLong("SELECT count(*) FROM purchases")))
                .isNull();
    }

    @Test
    void unknownTemplateVariable_isAStartupError() {
        String bad = USERS + querySource("""
                  - { name: a, query: "SELECT 1 FROM purchases WHERE user_id = {{ userID }}" }
                """, "{ every: 1h, query: \"SELECT user_id FROM purchases\", property: userId }");
        assertThatThrownBy(() -> DromedaryHarness.start(oneApp(db), bad, dir))
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("source 'spend'.properties.a.query: unknown variable {{ userID }}: not a property of model 'users'");
    }

    @Test
    void aBatchOfAThousandRecords_costsOneStatementPerProperty() throws Exception {
        db.execute("INSERT INTO users (id, name, status) SELECT g, 'n' || g, 'paid' FROM generate_series(100, 2099) g",
                "INSERT INTO purchases (user_id, buyer, amount, item, status, purchased_at) SELECT g % 2000 + 100, 'b', "
                        + "g % 10, 'i' || g, 'paid', '2024-01-01' FROM generate_series(1, 6000) g");
        for (int pageSize : new int[] {1000, 2000}) {
            String sync = (USERS + querySource(PROPERTIES, "{ every: 1h, pageSize: " + pageSize
                    + ", query: \"SELECT user_id FROM purchases\", property: userId }"))
                    .replace("id: users\n", "id: users" + pageSize + "\n").replace("id: spend", "id: spend" + pageSize);
            StatementCounter counter = new StatementCounter();
            Properties p = oneApp(db);
            p.setProperty("dromedary.store.schema", "store" + pageSize);
            try (DromedaryHarness h = DromedaryHarness.start(p, sync, dir, counter::wrap)) {
                h.importOnce("users" + pageSize);
                counter.watched = "FROM purchases";
                counter.watchedExecuted.set(0);
                RunCounts n = h.importOnce("spend" + pageSize);
                assertThat(n.recordsUpdated).isEqualTo(2002);
                int pages = 2002 / pageSize + 1;
                // per page: one key query, then one statement per query property (5), whatever the page size
                assertThat(counter.watchedExecuted.get()).as("page size " + pageSize).isEqualTo(pages * 6);
            }
        }
    }

    @Test
    void aStatementOverTheTimeout_isCancelled_retried_thenTheRunFailsCleanly() throws Exception {
        Properties p = oneApp(db);
        p.setProperty("dromedary.apps.crm.statement-timeout", "300ms");
        String sync = USERS + querySource("""
                  - name: slow
                    query: "SELECT count(*) FROM pg_sleep(1) WHERE CAST({{ userId }} AS text) IS NOT NULL"
                """, "{ every: 1h, query: \"SELECT user_id FROM purchases\", property: userId }");
        try (DromedaryHarness h = DromedaryHarness.start(p, sync, dir)) {
            h.importOnce("users");
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> h.importOnce("spend"));
            assertThat(t).hasStackTraceContaining("canceling statement due to statement timeout");
        }
        assertThat(db.rows("SELECT status, error FROM dromedary.runs WHERE name = 'spend'")).containsExactly(
                List.of("failed", "canceling statement due to statement timeout"));
    }
}
