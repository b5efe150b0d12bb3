package dev.dromedary.it;

import static dev.dromedary.it.DromedaryHarness.oneApp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.run.RunCounts;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Postgres Import Table: aggregations, filters, arrays, types, secondary joins, late commits, query counts. */
class TableSourceIT {
    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("""
                CREATE TABLE users (id int PRIMARY KEY, email text, country text,
                  updated_at timestamptz NOT NULL DEFAULT now())""",
                "INSERT INTO users (id, email, country, updated_at) VALUES "
                        + "(1, 'a@x.org', 'NZ', now() - interval '1 hour'), (2, 'b@x.org', 'NZ', now() - interval '1 hour'), "
                        + "(3, 'c@x.org', 'FR', now() - interval '1 hour')",
                """
                CREATE TABLE purchases (id serial PRIMARY KEY, user_id int, amount numeric(10,2), item text,
                  status text, purchased_at timestamptz, updated_at timestamptz NOT NULL DEFAULT now())""",
                """
                INSERT INTO purchases (user_id, amount, item, status, purchased_at) VALUES
                  (1, 10.00, 'hat',   'paid',   '2024-01-01T00:00:00Z'),
                  (1, 20.50, 'Scarf', 'PAID',   '2024-01-02T00:00:00Z'),
                  (1, 5.25,  'boots', 'refund', '2024-01-03T00:00:00Z'),
                  (2, 7.00,  'coat',  'paid',   '2024-01-01T00:00:00Z'),
                  (2, NULL,  NULL,    NULL,     '2024-01-05T00:00:00Z')""",
                "CREATE TABLE countries (code text PRIMARY KEY, population int, updated_at timestamptz NOT NULL DEFAULT now())",
                "INSERT INTO countries VALUES ('NZ', 5100000), ('FR', 68000000)");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    private static String sync(String extraSources) {
        return """
                model: { name: users, primaryKey: userId }
                sources:
                  - id: users
                    app: crm
                    table: users
                    primary: true
                    mapping: { column: id, property: userId }
                    properties:
                      - { name: email, column: email, type: email }
                      - { name: country, column: country }
                    schedule: { column: updated_at, every: 1h }
                """ + extraSources;
    }

    private String property(String pk, String name) throws Exception {
        List<List<String>> rows = db.rows("SELECT properties ->> '" + name + "' FROM dromedary.records WHERE pk = '" + pk + "'");
        assertThat(rows).as("record " + pk).hasSize(1);
        return rows.get(0).get(0);
    }

    private String json(String pk, String name) throws Exception {
        return db.rows("SELECT properties -> '" + name + "' FROM dromedary.records WHERE pk = '" + pk + "'").get(0).get(0);
    }

    /** With an index on the mapping column each key is aggregated through it; without one the batch is grouped. */
    @ParameterizedTest(name = "mapping column indexed: {0}")
    @ValueSource(booleans = {false, true})
    void everyAggregationMethod_onASecondaryTable(boolean indexed) throws Exception {
        if (indexed) {
            db.execute("CREATE INDEX ON purchases (user_id)");
        }
        String sync = sync("""
                  - id: purchases
                    app: crm
                    table: purchases
                    mapping: { column: user_id, property: userId }
                    properties:
                      - { name: total, column: amount, type: float, aggregation: sum }
                      - { name: purchaseCount, column: amount, type: integer, aggregation: count }
                      - { name: avgAmount, column: amount, type: float, aggregation: average }
                      - { name: minAmount, column: amount, type: float, aggregation: min }
                      - { name: maxAmount, column: amount, type: float, aggregation: max }
                      - { name: lastItem, column: item, aggregation: mostRecentValue, sortColumn: purchased_at }
                      - { name: firstItem, column: item, aggregation: leastRecentValue, sortColumn: purchased_at }
                      - { name: anyItem, column: item }
                      - { name: items, column: item, array: true, sortColumn: purchased_at }
                    schedule: { column: updated_at, every: 1h }
                """);
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            h.runOnce("users");
        }
        // user 1: several rows; user 2: the newest row holds nulls; user 3: no rows at all
        assertThat(List.of(property("1", "total"), property("2", "total"), property("3", "total")))
                .containsExactly("35.75", "7", "0");
        assertThat(List.of(property("1", "purchaseCount"), property("2", "purchaseCount"), property("3", "purchaseCount")))
                .containsExactly("3", "1", "0");
        assertThat(Double.parseDouble(property("1", "avgAmount"))).isCloseTo(11.9166, org.assertj.core.data.Offset.offset(0.001));
        assertThat(property("2", "avgAmount")).isEqualTo("7");
        assertThat(property("3", "avgAmount")).isNull();
        assertThat(List.of(property("1", "minAmount"), property("1", "maxAmount"))).containsExactly("5.25", "20.5");
        assertThat(property("3", "minAmount")).isNull();
        assertThat(property("3", "maxAmount")).isNull();
        assertThat(property("1", "lastItem")).isEqualTo("boots");
        assertThat(property("2", "lastItem")).as("most recent does not skip nulls").isNull();
        assertThat(property("3", "lastItem")).isNull();
        assertThat(List.of(property("1", "firstItem"), property("2", "firstItem"))).containsExactly("hat", "coat");
        assertThat(property("3", "firstItem")).isNull();
        assertThat(json("1", "items")).isEqualTo("[\"hat\", \"Scarf\", \"boots\"]");
        assertThat(json("2", "items")).isEqualTo("[\"coat\", null]");
        assertThat(json("3", "items")).isEqualTo("[]");
        assertThat(property("1", "anyItem")).isNotNull();
    }

    /**
     * Values picked from one row (most and least recent, exact) read only the rows that pass their filters, also
     * when their filter set has no other aggregate and when it shares one with a sum.
     */
    @ParameterizedTest(name = "mapping column indexed: {0}")
    @ValueSource(booleans = {false, true})
    void pickedValues_honourTheirFilters(boolean indexed) throws Exception {
        if (indexed) {
            db.execute("CREATE INDEX ON purchases (user_id)");
        }
        String sync = sync("""
                  - id: purchases
                    app: crm
                    table: purchases
                    mapping: { column: user_id, property: userId }
                    properties:
                      - name: lastPaid
                        column: item
                        aggregation: mostRecentValue
                        sortColumn: purchased_at
                        filters: [ { column: status, op: substring, value: "paid" } ]
                      - name: firstPaid
                        column: item
                        aggregation: leastRecentValue
                        sortColumn: purchased_at
                        filters: [ { column: status, op: substring, value: "paid" } ]
                      - name: lastBig
                        column: item
                        aggregation: mostRecentValue
                        sortColumn: purchased_at
                        filters: [ { column: amount, op: gt, value: "6" } ]
                      - name: bigTotal
                        column: amount
                        type: float
                        aggregation: sum
                        filters: [ { column: amount, op: gt, value: "6" } ]
                      - name: anyRefund
                        column: item
                        filters: [ { column: status, op: eq, value: "refund" } ]
                    schedule: { column: updated_at, every: 1h }
                """);
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            h.runOnce("users");
        }
        // user 1: (10.00 hat paid 1 Jan) (20.50 Scarf PAID 2 Jan) (5.25 boots refund 3 Jan);
        // user 2: (7.00 coat paid 1 Jan) (null 5 Jan); user 3: no rows
        assertThat(List.of(property("1", "lastPaid"), property("1", "firstPaid"))).containsExactly("Scarf", "hat");
        assertThat(List.of(property("2", "lastPaid"), property("2", "firstPaid"))).containsExactly("coat", "coat");
        assertThat(List.of(property("1", "lastBig"), property("1", "bigTotal"), property("1", "anyRefund")))
                .containsExactly("Scarf", "30.5", "boots");
        assertThat(List.of(property("2", "lastBig"), property("2", "bigTotal"))).containsExactly("coat", "7");
        assertThat(property("2", "anyRefund")).isNull();
        assertThat(java.util.Arrays.asList(property("3", "lastPaid"), property("3", "firstPaid"),
                property("3", "lastBig"), property("3", "bigTotal"), property("3", "anyRefund")))
                .containsExactly(null, null, null, "0", null);
    }

    @ParameterizedTest(name = "mapping column indexed: {0}")
    @ValueSource(booleans = {false, true})
    void everyFilterOperator(boolean indexed) throws Exception {
        if (indexed) {
            db.execute("CREATE INDEX ON purchases (user_id)");
        }
        StringBuilder props = new StringBuilder();
        String[][] filters = {
                {"eqPaid", "status", "eq", "paid"}, {"nePaid", "status", "ne", "paid"},
                {"gt10", "amount", "gt", "10"}, {"gte10", "amount", "gte", "10"},
                {"lt10", "amount", "lt", "10"}, {"lte10", "amount", "lte", "10"},
                {"subNumber", "amount", "substring", ".5"}, {"subCase", "item", "substring", "SCAR"},
                {"notSub", "item", "notSubstring", "a"}, {"subPercent", "item", "substring", "%"},
                {"exists", "amount", "exists", null}, {"notExists", "amount", "notExists", null}};
        for (String[] f : filters) {
            props.append("          - name: ").append(f[0]).append("\n            column: id\n            type: integer\n")
                    .append("            aggregation: count\n            filters:\n              - { column: ").append(f[1])
                    .append(", op: ").append(f[2]).append(f[3] == null ? "" : ", value: \"" + f[3] + "\"").append(" }\n");
        }
        String sync = sync("""
                  - id: purchases
                    app: crm
                    table: purchases
                    mapping: { column: user_id, property: userId }
                    properties:
                """ + props + """
                    schedule: { column: updated_at, every: 1h }
                """);
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            h.runOnce("users");
        }
        // user 1: (10.00 hat paid) (20.50 Scarf PAID) (5.25 boots refund); user 2: (7.00 coat paid) (null)
        String[][] expected = {{"eqPaid", "1", "1"}, {"nePaid", "2", "0"}, {"gt10", "1", "0"}, {"gte10", "2", "0"},
                {"lt10", "1", "1"}, {"lte10", "2", "1"}, {"subNumber", "1", "0"}, {"subCase", "1", "0"},
                {"notSub", "1", "0"}, {"subPercent", "0", "0"}, {"exists", "3", "1"}, {"notExists", "0", "1"}};
        for (String[] e : expected) {
            assertThat(List.of(property("1", e[0]), property("2", e[0]))).as(e[0]).containsExactly(e[1], e[2]);
        }
    }

    @Test
    void typeConversions_keepInvalidValuesOutWithAReason() throws Exception {
        db.execute("""
                CREATE TABLE kinds (id int PRIMARY KEY, i text, f text, b text, d text, ts text, naive timestamp,
                  e text, u text, updated_at timestamptz NOT NULL DEFAULT now())""",
                "INSERT INTO kinds (id, i, f, b, d, ts, naive, e, u) VALUES "
                        + "(1, '42', '2.5', 'yes', '2024-02-29', '2024-06-01 10:00:00+02', '2024-06-01 10:00:00', "
                        + "'Ada@Example.com', 'https://example.com/x'), "
                        + "(2, 'abc', 'NaN', 'maybe', '2024-13-01', 'infinity', NULL, 'nope', 'example'), "
                        + "(3, '', NULL, NULL, NULL, NULL, NULL, '', NULL)");
        String sync = """
                model: { name: kinds, primaryKey: kindId }
                sources:
                  - id: kinds
                    app: crm
                    table: kinds
                    mapping: { column: id, property: kindId }
                    properties:
                      - { name: i, column: i, type: integer }
                      - { name: f, column: f, type: float }
                      - { name: b, column: b, type: boolean }
                      - { name: d, column: d, type: date }
                      - { name: ts, column: ts, type: timestamp }
                      - { name: naive, column: naive, type: timestamp }
                      - { name: e, column: e, type: email }
                      - { name: u, column: u, type: url }
                    schedule: { column: updated_at, every: 1h }
                """;
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            RunCounts n = h.importOnce("kinds");
            assertThat(n.recordsCreated).isEqualTo(3);
        }
        assertThat(db.rows("SELECT properties::text, invalid::text FROM dromedary.records WHERE pk = '1'").get(0))
                .containsExactly("{\"b\": true, \"d\": \"2024-02-29\", \"e\": \"Ada@Example.com\", \"f\": 2.5, \"i\": 42, "
                        + "\"u\": \"https://example.com/x\", \"ts\": \"2024-06-01T08:00:00Z\", \"naive\": "
                        + "\"2024-06-01T10:00:00Z\", \"kindId\": \"1\"}", null);
        assertThat(db.rows("SELECT invalid::text FROM dromedary.records WHERE pk = '2'").get(0).get(0))
                .isEqualTo("{\"b\": \"'maybe' is not a boolean\", \"d\": \"'2024-13-01' is not a date\", "
                        + "\"e\": \"'nope' is not an email address\", \"f\": \"'NaN' is not a finite number\", "
                        + "\"i\": \"'abc' is not an integer\", \"u\": \"'example' is not a URL\", "
                        + "\"ts\": \"'infinity' is not a timestamp\"}");
        assertThat(property("2", "i")).isNull();
        assertThat(db.rows("SELECT properties::text, invalid FROM dromedary.records WHERE pk = '3'").get(0))
                .containsExactly("{\"b\": null, \"d\": null, \"e\": null, \"f\": null, \"i\": null, \"u\": null, "
                        + "\"ts\": null, \"naive\": null, \"kindId\": \"3\"}", null);
        // Fixing the value clears the reason.
        db.execute("UPDATE kinds SET i = '7', updated_at = now() WHERE id = 2");
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            h.importOnce("kinds");
        }
        assertThat(property("2", "i")).isEqualTo("7");
        assertThat(db.rows("SELECT invalid ? 'i' FROM dromedary.records WHERE pk = '2'").get(0).get(0)).isEqualTo("f");
    }

    @Test
    void secondarySourceJoinedThroughANonUniqueProperty_givesEveryMatchingRecordTheValue() throws Exception {
        String sync = sync("""
                  - id: countries
                    app: crm
                    table: countries
                    mapping: { column: code, property: country }
                    properties:
                      - { name: population, column: population, type: integer }
                    schedule: { column: updated_at, every: 1h }
                """);
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            h.runOnce("users");
            assertThat(List.of(property("1", "population"), property("2", "population"), property("3", "population")))
                    .containsExactly("5100000", "5100000", "68000000");
            db.execute("UPDATE countries SET population = 5200000, updated_at = now() WHERE code = 'NZ'");
            RunCounts n = h.importOnce("countries");
            assertThat(n.recordsUpdated).isEqualTo(2);
            assertThat(n.recordsCreated).isZero();
            assertThat(List.of(property("1", "population"), property("2", "population"), property("3", "population")))
                    .containsExactly("5200000", "5200000", "68000000");
        }
    }

    @Test
    void uniqueProperty_refusesADuplicateOnTheRecordThatLost() throws Exception {
        db.execute("UPDATE users SET email = 'a@x.org' WHERE id = 3");
        String sync = sync("").replace("type: email }", "type: email, unique: true }");
        try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
            h.importOnce("users");
        }
        assertThat(property("1", "email")).isEqualTo("a@x.org");
        assertThat(property("3", "email")).isNull();
        assertThat(db.rows("SELECT invalid ->> 'email' FROM dromedary.records WHERE pk = '3'").get(0).get(0))
                .isEqualTo("duplicate value 'a@x.org': already held by record 1");
    }

    @Test
    void lateCommit_isCaughtByTheLookBack_andMissedWithoutOne() throws Exception {
        for (boolean lookback : new boolean[] {true, false}) {
            String sync = sync("").replace("schedule: { column: updated_at, every: 1h }",
                    "schedule: { column: updated_at, every: 1h" + (lookback ? ", lookback: 5m" : "") + " }")
                    .replace("id: users", "id: users" + lookback);
            int late = lookback ? 100 : 200;
            try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir)) {
                h.importOnce("users" + lookback);
                try (Connection slow = db.connect()) {
                    slow.setAutoCommit(false);
                    // Stamped now, committed after the next run has moved the cursor past that stamp.
                    slow.createStatement().execute("INSERT INTO users (id, email, updated_at) VALUES (" + late
                            + ", 'late@x.org', clock_timestamp() - interval '1 second')");
                    db.execute("INSERT INTO users (id, email, updated_at) VALUES (" + (late + 1) + ", 'on-time@x.org', now())");
                    assertThat(h.importOnce("users" + lookback).recordsCreated).isEqualTo(1);
                    slow.commit();
                }
                RunCounts after = h.importOnce("users" + lookback);
                assertThat(after.recordsCreated).as("lookback " + lookback).isEqualTo(lookback ? 1 : 0);
            }
        }
    }

    @Test
    void aPageOfAThousandRecords_costsTheSameFewStatements_whateverThePageSize() throws Exception {
        db.execute("INSERT INTO users (id, email, updated_at) SELECT g, 'u' || g || '@x.org', now() - interval '1 hour' "
                        + "FROM generate_series(100, 2099) g",
                "INSERT INTO purchases (user_id, amount, item, status, purchased_at) SELECT g % 2000 + 100, g % 50, "
                        + "'item' || g, 'paid', now() FROM generate_series(1, 10000) g");
        for (int pageSize : new int[] {1000, 2000}) {
            String sync = sync("""
                      - id: purchases
                        app: crm
                        table: purchases
                        mapping: { column: user_id, property: userId }
                        properties:
                          - { name: total, column: amount, type: float, aggregation: sum }
                          - { name: n, column: amount, type: integer, aggregation: count }
                          - { name: avg, column: amount, type: float, aggregation: average }
                          - { name: lo, column: amount, type: float, aggregation: min }
                          - { name: hi, column: amount, type: float, aggregation: max }
                          - { name: last, column: item, aggregation: mostRecentValue, sortColumn: purchased_at }
                        schedule: { every: 1h, pageSize: PAGE }
                    """.replace("PAGE", Integer.toString(pageSize))).replace("id: users", "id: users" + pageSize)
                    .replace("id: purchases", "id: purchases" + pageSize);
            StatementCounter counter = new StatementCounter();
            try (DromedaryHarness h = DromedaryHarness.start(oneApp(db), sync, dir, counter::wrap)) {
                h.importOnce("users" + pageSize);
                counter.executed.set(0);
                RunCounts n = h.importOnce("purchases" + pageSize);
                assertThat(n.rowsRead).isEqualTo(2003);
                int pages = (2003 + pageSize - 1) / pageSize;
                // Per page: one statement reads the page's records, one GROUP BY computes all six properties,
                // and the record store takes a bounded handful (lock, staging, COPY, merge, ...).
                assertThat(counter.executed.get()).as("page size " + pageSize).isLessThanOrEqualTo(4 + pages * 8);
            }
        }
    }
}
