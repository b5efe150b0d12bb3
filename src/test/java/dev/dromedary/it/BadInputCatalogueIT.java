package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dromedary.config.DromedaryConfigException;
import dev.dromedary.run.RunCounts;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalogue of bad input: each case is one mistake an integrator (or their data) makes, and the exact
 * words Dromedary answers with. Configuration mistakes stop the start with that message; bad rows fail alone
 * while the others sync.
 */
class BadInputCatalogueIT {
    static TestDatabase db;
    @TempDir
    Path dir;

    @BeforeAll
    static void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE SCHEMA dst",
                "CREATE TABLE users (id int PRIMARY KEY, email text, name text, score numeric, seen timestamptz, "
                        + "bio text, age_text text, changed_at timestamptz, updated_at timestamptz NOT NULL)",
                "CREATE TABLE x (id int)",
                "INSERT INTO users (id, email, name, updated_at) SELECT g, 'u' || g || '@x.org', 'n' || g, now() "
                        + "FROM generate_series(1, 50) g",
                "CREATE TABLE dst.customers (id int PRIMARY KEY, email varchar(20), age int)",
                "CREATE TABLE dst.loose (id int, email text)");
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        db.close();
    }

    private static final String SYNC = """
            model: { name: users, primaryKey: userId }
            sources:
              - id: users
                app: crm
                table: users
                mapping: { column: id, property: userId }
                properties:
                  - { name: email, column: email }
                  - { name: name, column: name }
                schedule: { column: updated_at, every: 15m, pageSize: 100 }
            groups:
              - name: named
                rules: [ { property: name, op: exists } ]
            destinations:
              - id: customers
                app: warehouse
                table: customers
                primaryKey: id
                syncMode: sync
                mappings: { id: userId, email: email }
            """;

    private Properties properties() {
        Properties p = new Properties();
        DromedaryHarness.app(p, "crm", db, "public");
        DromedaryHarness.app(p, "warehouse", db, "dst");
        p.setProperty("dromedary.store.app", "crm");
        p.setProperty("dromedary.apps.crm.connect-timeout", "2s");
        return p;
    }

    /** One case: a change to the sync file and/or the properties, and the words of the error. */
    private void refused(UnaryOperator<String> sync, Consumer<Properties> props, String expected) {
        Properties p = properties();
        props.accept(p);
        Throwable t = catchThrowable(() -> DromedaryHarness.start(p, sync.apply(SYNC), dir).close());
        assertThat(t).as(expected).isInstanceOf(DromedaryConfigException.class);
        assertThat(t.getMessage()).as("message").contains(expected).doesNotContain("S3cret-Hunter2!");
    }

    private void refused(UnaryOperator<String> sync, String expected) {
        refused(sync, p -> { }, expected);
    }

    @Test
    void configurationMistakes_stopTheStartWithTheirExactWords() throws Exception {
        refused(s -> s.replace("    table: users\n", ""), "sources[0].table: is required but missing");
        refused(s -> s.replace("app: crm", "app: nowhere"), "source 'users'.app: unknown App 'nowhere'; defined Apps: [crm, warehouse]");
        refused(s -> s.replace("table: users", "table: nope"), "source 'users'.table: table 'nope' does not exist in schema 'public' of App 'crm'");
        refused(s -> s.replace("column: email }", "column: mail }"), "source 'users'.properties.email.column: column 'mail' does not exist in table 'users'");
        refused(s -> s.replace("email: email }", "email: mail }"), "destination 'customers'.mappings.email: unknown property 'mail' of model 'users'");
        refused(s -> s.replace("syncMode: sync", "syncMode: sync\n    group: nope"), "destination 'customers'.group: unknown group 'nope'");
        refused(s -> s.replace("syncMode: sync", "syncMode: upsert"), "destinations[0].syncMode: 'upsert' is invalid: expected one of [sync, additive, enrich]");
        refused(s -> s.replace("{ name: name, column: name }", "{ name: name, column: name, filters: [ { column: name, op: like, value: a } ] }"),
                "'like' is invalid: expected one of [eq, ne, gt, gte, lt, lte, substring, notSubstring, exists, notExists]");
        refused(s -> s.replace("every: 15m", "every: 0m"), "sources[0].schedule.every: '0m' is invalid: expected a positive duration");
        refused(s -> s.replace("every: 15m", "every: -5m"), "sources[0].schedule.every: '-5m' is invalid: expected a positive duration");
        refused(s -> s.replace("every: 15m", "cron: \"61 * * * * ?\""), "'61 * * * * ?' is not a valid Quartz cron expression");
        refused(s -> s.replace("table: users", "table: \"users; DROP TABLE x\""), "table 'users; DROP TABLE x' does not exist in schema 'public'");
        refused(s -> s.replace("column: email }", "column: \"email\\\"; --\" }"), "column 'email\"; --' does not exist in table 'users'");
        refused(s -> s.replace("table: users", "table: üsers"), "table 'üsers' does not exist");
        refused(s -> s.replace("{ property: name, op: exists }", "{ property: name, op: gt, value: \"1\" }"),
                "group 'named'.rules[0].op: operator gt does not apply to string property 'name'");
        refused(s -> s.replace("{ property: name, op: exists }", "{ property: nam, op: exists }"),
                "group 'named'.rules[0].property: unknown property 'nam'");
        refused(s -> s.replace("{ name: email, column: email }", "{ name: email, column: email, array: true }"),
                "destination 'customers'.mappings.email: property 'email' is an array and cannot be exported to a column");
        refused(s -> s.replace("table: customers", "table: loose"), "destination 'customers'.primaryKey: column 'id' of table 'loose' is not unique");
        refused(s -> s.replace("column: updated_at", "column: changed_at"), "cursor column 'changed_at' of table 'users' is nullable");
        refused(s -> s.replace("pageSize: 100", "pagesize: 100"), "unknown option 'pagesize' (did you mean 'pageSize'?)");
        refused(s -> s, p -> p.setProperty("dromedary.apps.crm.hostname", "x"), "dromedary.apps.crm.hostname: unknown App option 'hostname'");
        refused(s -> s, p -> p.setProperty("dromedary.apps.crm.database", "no_such_db"), "App 'crm' (127.0.0.1:5432/no_such_db): database 'no_such_db' does not exist");
        refused(s -> s, p -> p.setProperty("dromedary.apps.crm.port", "1"), "App 'crm' (127.0.0.1:1/" + db.name() + "): cannot reach 127.0.0.1:1");
        refused(s -> s, p -> {
            p.setProperty("dromedary.apps.crm.ssl", "true");
            p.setProperty("dromedary.apps.crm.ssl-certificate-authority", "/nonexistent/ca.crt");
        }, "App 'crm' (127.0.0.1:5432/" + db.name() + "): SSL connection failed");
        refused(s -> s, p -> {
            p.remove("dromedary.apps.crm.password");
            p.setProperty("dromedary.apps.crm.password-file", "/nonexistent/secret");
        }, "dromedary.apps.crm.password-file: cannot read password file '/nonexistent/secret'");
        refused(s -> s, p -> p.setProperty("dromedary.apps.crm.password", "{{env:NO_SUCH_VARIABLE_XYZ}}"),
                "dromedary.apps.crm.password: placeholder in '{{env:NO_SUCH_VARIABLE_XYZ}}' cannot be resolved");
        refused(s -> s.replace("column: updated_at, every", "column: id, lookback: 5m, every"),
                "source 'users'.schedule.lookback: a look-back needs a timestamp or date cursor column; 'id' is integer");
        refused(s -> s.replace("{ name: name, column: name }", "{ name: name, column: name, aggregation: sum }"),
                "source 'users'.properties.name.aggregation: aggregation sum does not apply to column 'name' (text)");
        refused(s -> s.replace("schedule: { column", "schedule: { filters: [ { column: id, op: gt, value: abc } ], column"),
                "source 'users'.schedule.filters[0].value: 'abc' is not a valid integer for column 'id'");
        refused(s -> s.replace("groups:", """
                  - id: users
                    app: crm
                    table: users
                    primary: true
                    mapping: { column: id, property: userId }
                    schedule: { every: 1h }
                groups:"""), "source 'users': source id is used more than once");
        refused(s -> s, p -> p.setProperty("dromedary.store.app", "lake"), "dromedary.store.app: App 'lake' holds the record store but is not defined");
        refused(s -> s.replace("    mapping: { column: id", "    primary: true\n    mapping: { column: id").replace("groups:", """
                  - id: writes
                    type: query
                    app: crm
                    properties: [ { name: w, query: "WITH d AS (DELETE FROM x RETURNING 1) SELECT count(*) FROM d" } ]
                    schedule: { every: 1h, query: "SELECT id FROM users", property: userId }
                groups:"""), "source 'writes'.properties.w.query: is refused: it would write (DELETE); query sources only read");
        refused(s -> s.replace("syncMode: sync", "syncMode: sync\n    groupsTable: nope_groups\n    groupForeignKey: customer_id\n"
                + "    groupColumnName: name\n    groups: { named: Named }"),
                "destination 'customers'.groupsTable: table 'nope_groups' does not exist in schema 'dst' of App 'warehouse'");
        refused(s -> s.replace("syncMode: sync", "syncMode: sync\n    groupsTable: loose\n    groupForeignKey: customer_id\n"
                + "    groupColumnName: email\n    groups: { named: Named }"),
                "destination 'customers'.groupForeignKey: column 'customer_id' does not exist in table 'loose'");
        assertThat(db.queryLong("SELECT count(*) FROM x")).as("table x survived every case").isZero();
    }

    @Test
    void badRows_failAlone_andTheOthersSync() throws Exception {
        db.execute("CREATE TABLE messy (id int, email text, score numeric, seen timestamptz, bio text, age_text text, "
                        + "updated_at timestamptz NOT NULL)",
                "INSERT INTO messy SELECT g, 'm' || g || '@x.org', g, now(), 'bio', '30', now() - interval '1 minute' "
                        + "FROM generate_series(1, 40) g",
                "INSERT INTO messy VALUES (NULL, 'nokey@x.org', 1, now(), 'x', '1', now())",
                // a second row with key 5, read after the first (the newer one wins)
                "INSERT INTO messy VALUES (5, 'second-five@x.org', 5, now(), 'x', '5', now() - interval '30 seconds')",
                "UPDATE messy SET score = 'NaN' WHERE id = 6",
                "UPDATE messy SET score = 'Infinity' WHERE id = 7",
                "UPDATE messy SET seen = 'infinity' WHERE id = 8",
                "UPDATE messy SET bio = repeat('long text ', 100000) WHERE id = 9",
                "UPDATE messy SET email = repeat('x', 30) || '@x.org' WHERE id = 10",
                "UPDATE messy SET age_text = 'abc' WHERE id = 11",
                "CREATE TABLE dst.messy_out (id int PRIMARY KEY, email varchar(20), age int, bio text)");
        String sync = """
                model: { name: messy, primaryKey: messyId }
                sources:
                  - id: messy
                    app: crm
                    table: messy
                    mapping: { column: id, property: messyId }
                    properties:
                      - { name: email, column: email }
                      - { name: score, column: score, type: float }
                      - { name: seen, column: seen, type: timestamp }
                      - { name: bio, column: bio }
                      - { name: age, column: age_text }
                    schedule: { column: updated_at, every: 1h, allowNullCursor: false }
                destinations:
                  - id: messy-out
                    app: warehouse
                    table: messy_out
                    primaryKey: id
                    mappings: { id: messyId, email: email, age: age, bio: bio }
                """;
        try (DromedaryHarness h = DromedaryHarness.start(properties(), sync, dir)) {
            RunCounts imported = h.importOnce("messy");
            assertThat(imported.recordsCreated).as("the null key makes no record; two rows of id 5 make one").isEqualTo(40);
            RunCounts exported = h.exportOnce("messy-out");
            assertThat(exported.inserted).isEqualTo(38);
            assertThat(exported.failed).isEqualTo(2);
        }
        assertThat(db.rows("SELECT pk, reason FROM dromedary.export_errors WHERE destination = 'messy-out' ORDER BY pk"))
                .containsExactly(List.of("10", "value too long for type character varying(20)"),
                        List.of("11", "invalid input syntax for type integer: \"abc\""));
        assertThat(db.rows("SELECT invalid ->> 'score' FROM dromedary.records WHERE model = 'messy' AND pk IN ('6', '7') ORDER BY pk"))
                .containsExactly(List.of("'NaN' is not a finite number"), List.of("'Infinity' is not a finite number"));
        assertThat(db.rows("SELECT invalid ->> 'seen' FROM dromedary.records WHERE model = 'messy' AND pk = '8'"))
                .containsExactly(List.of("'infinity' is not a timestamp"));
        assertThat(db.queryLong("SELECT length(bio) FROM dst.messy_out WHERE id = 9")).isEqualTo(1_000_000);
        assertThat(db.rows("SELECT email FROM dst.messy_out WHERE id = 5")).containsExactly(List.of("second-five@x.org"));
    }
}
