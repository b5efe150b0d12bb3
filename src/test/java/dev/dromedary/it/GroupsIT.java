package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dromedary.config.DromedaryConfigException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calculated groups: every operator on every type it applies to, arrays, all/any, relative dates, exports. */
class GroupsIT {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE SCHEMA dst",
                """
                CREATE TABLE people (id int PRIMARY KEY, name text, email text, site text, age int, score float8,
                  vip boolean, born date, seen timestamptz, updated_at timestamptz NOT NULL DEFAULT now())""",
                """
                INSERT INTO people (id, name, email, site, age, score, vip, born, seen) VALUES
                  (1, 'Ada', 'ada@x.org', 'https://ada.dev', 36, 9.5, true, '1990-12-10', '2029-12-30T00:00:00Z'),
                  (2, 'alan', 'alan@y.com', 'http://turing.org', 41, 3.25, false, '1912-06-23', '2030-01-04T00:00:00Z'),
                  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""",
                "CREATE TABLE tags (id serial PRIMARY KEY, person_id int, tag text, n int, updated_at timestamptz NOT NULL DEFAULT now())",
                "INSERT INTO tags (person_id, tag, n) VALUES (1, 'red', 1), (1, 'blue', 2), (2, 'green', 5)",
                "CREATE TABLE dst.people (id int PRIMARY KEY, name text)",
                "CREATE TABLE dst.people_groups (person_id int NOT NULL, group_name text NOT NULL)");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    private Properties properties() {
        Properties p = new Properties();
        DromedaryHarness.app(p, "crm", db, "public");
        DromedaryHarness.app(p, "warehouse", db, "dst");
        p.setProperty("dromedary.store.app", "crm");
        return p;
    }

    private static final String SOURCES = """
            model: { name: people, primaryKey: personId }
            sources:
              - id: people
                app: crm
                table: people
                primary: true
                mapping: { column: id, property: personId }
                properties:
                  - { name: name, column: name }
                  - { name: email, column: email, type: email }
                  - { name: site, column: site, type: url }
                  - { name: age, column: age, type: integer }
                  - { name: score, column: score, type: float }
                  - { name: vip, column: vip, type: boolean }
                  - { name: born, column: born, type: date }
                  - { name: seen, column: seen, type: timestamp }
                schedule: { column: updated_at, every: 1h }
              - id: tags
                app: crm
                table: tags
                mapping: { column: person_id, property: personId }
                properties:
                  - { name: tags, column: tag, array: true }
                  - { name: nums, column: n, type: integer, array: true }
                schedule: { column: updated_at, every: 1h }
            """;

    /** property, op, value (or null), members expected. */
    private static final String[][] CASES = {
            {"name", "exists", null, "1,2"}, {"name", "notExists", null, "3"}, {"name", "eq", "Ada", "1"},
            {"name", "eq", "ada", ""}, {"name", "ne", "Ada", "2"}, {"name", "like", "A%", "1"},
            {"name", "notLike", "A%", "2"}, {"name", "iLike", "a%", "1,2"}, {"name", "notILike", "a%", ""},
            {"name", "startsWith", "AL", "2"}, {"name", "endsWith", "DA", "1"}, {"name", "substring", "la", "2"},
            {"email", "eq", "ada@x.org", "1"}, {"email", "endsWith", ".com", "2"}, {"email", "notExists", null, "3"},
            {"site", "substring", "turing", "2"}, {"site", "startsWith", "https", "1"}, {"site", "ne", "https://ada.dev", "2"},
            {"age", "eq", "36", "1"}, {"age", "ne", "36", "2"}, {"age", "gt", "36", "2"}, {"age", "gte", "36", "1,2"},
            {"age", "lt", "41", "1"}, {"age", "lte", "41", "1,2"}, {"age", "exists", null, "1,2"},
            {"age", "notExists", null, "3"},
            {"score", "gt", "5", "1"}, {"score", "lte", "3.25", "2"}, {"score", "eq", "9.5", "1"},
            {"vip", "eq", "true", "1"}, {"vip", "ne", "true", "2"}, {"vip", "exists", null, "1,2"},
            {"vip", "notExists", null, "3"},
            {"born", "gt", "1950-01-01", "1"}, {"born", "lt", "1950-01-01", "2"}, {"born", "eq", "1990-12-10", "1"},
            {"born", "inThePast", "200 years", "1,2"}, {"born", "inThePast", "10 years", ""},
            {"seen", "inThePast", "3 days", "1"}, {"seen", "inTheFuture", "1 week", "2"}, {"seen", "inTheFuture", "1 day", ""},
            {"seen", "gte", "2030-01-01T00:00:00Z", "2"}, {"seen", "lt", "2030-01-01T00:00:00Z", "1"},
            {"seen", "inThePast", "1 quarter", "1"}, {"seen", "inThePast", "1 month", "1"}, {"seen", "inTheFuture", "2 weeks", "2"},
            {"tags", "eq", "red", "1"}, {"tags", "ne", "red", "2,3"}, {"tags", "substring", "ree", "2"},
            {"tags", "exists", null, "1,2"}, {"tags", "notExists", null, "3"}, {"tags", "like", "bl%", "1"},
            {"tags", "notLike", "bl%", "2,3"}, {"tags", "iLike", "GR%", "2"}, {"tags", "notILike", "GR%", "1,3"},
            {"tags", "startsWith", "r", "1"}, {"tags", "endsWith", "n", "2"},
            {"nums", "gt", "4", "2"}, {"nums", "lte", "1", "1"}, {"nums", "eq", "2", "1"}, {"nums", "ne", "2", "2,3"}};

    private String groupsYaml() {
        StringBuilder b = new StringBuilder("groups:\n");
        for (int i = 0; i < CASES.length; i++) {
            String[] c = CASES[i];
            b.append("  - name: g").append(i).append("\n    rules:\n      - { property: ").append(c[0]).append(", op: ")
                    .append(c[1]).append(c[2] == null ? "" : ", value: \"" + c[2] + "\"").append(" }\n");
        }
        b.append("""
                  - name: allOf
                    match: all
                    rules:
                      - { property: age, op: gt, value: "30" }
                      - { property: vip, op: eq, value: "true" }
                  - name: anyOf
                    match: any
                    rules:
                      - { property: age, op: gt, value: "40" }
                      - { property: vip, op: eq, value: "true" }
                """);
        return b.toString();
    }

    private List<String> membersOf(String group) throws Exception {
        List<String> out = new ArrayList<>();
        for (List<String> r : db.rows("SELECT pk FROM dromedary.records WHERE '" + group + "' = ANY(groups) ORDER BY pk")) {
            out.add(r.get(0));
        }
        return out;
    }

    @Test
    void everyOperatorOnEveryTypeItAppliesTo() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.startWithClock(properties(), SOURCES + groupsYaml(), dir, CLOCK)) {
            h.runOnce("people");
        }
        for (int i = 0; i < CASES.length; i++) {
            String[] c = CASES[i];
            List<String> expected = c[3].isEmpty() ? List.of() : Arrays.asList(c[3].split(","));
            assertThat(membersOf("g" + i)).as(c[0] + " " + c[1] + " " + c[2]).containsExactlyElementsOf(expected);
        }
        assertThat(membersOf("allOf")).containsExactly("1");
        assertThat(membersOf("anyOf")).containsExactly("1", "2");
    }

    @Test
    void rulesThatCannotWork_areStartupErrorsNamingGroupAndRule() {
        String bad = SOURCES + """
                groups:
                  - name: typo
                    rules: [ { property: agee, op: gt, value: "1" } ]
                  - name: wrongType
                    rules:
                      - { property: name, op: exists }
                      - { property: vip, op: gt, value: "1" }
                  - name: wrongValue
                    rules: [ { property: age, op: eq, value: "old" } ]
                  - name: badInterval
                    rules: [ { property: seen, op: inThePast, value: "soon" } ]
                """;
        assertThatThrownBy(() -> DromedaryHarness.start(properties(), bad, dir))
                .isInstanceOf(DromedaryConfigException.class)
                .satisfies(e -> assertThat(((DromedaryConfigException) e).problems()).containsExactly(
                        dir.resolve("test.sync.yaml") + ": group 'typo'.rules[0].property: unknown property 'agee'; "
                                + "the model's properties: [age, born, email, name, nums, personId, score, seen, site, tags, vip]",
                        dir.resolve("test.sync.yaml") + ": group 'wrongType'.rules[1].op: operator gt does not apply to "
                                + "boolean property 'vip'",
                        dir.resolve("test.sync.yaml") + ": group 'wrongValue'.rules[0].value: 'old' is invalid for integer "
                                + "property 'age': 'old' is not an integer",
                        dir.resolve("test.sync.yaml") + ": group 'badInterval'.rules[0].value: 'soon' is invalid: expected "
                                + "an amount and a unit, such as 30 days, 2 weeks, 3 months, 1 quarter or 1 year"));
    }

    private static final String DESTINATION = """
            groups:
              - name: vips
                rules: [ { property: vip, op: eq, value: "true" } ]
              - name: seniors
                rules: [ { property: age, op: gte, value: "40" } ]
            destinations:
              - id: people-out
                app: warehouse
                table: people
                primaryKey: id
                syncMode: MODE
                group: TRACKED
                groupsTable: people_groups
                groupForeignKey: person_id
                groupColumnName: group_name
                groups: { vips: VIP, seniors: Senior }
                mappings: { id: personId, name: name }
            """;

    private List<List<String>> groupRows() throws Exception {
        return db.rows("SELECT person_id::text, group_name FROM dst.people_groups ORDER BY 1, 2");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sync", "additive", "enrich"})
    void enteringAndLeavingGroups_changesOnlyThatRecordsGroupRows(String mode) throws Exception {
        if (mode.equals("enrich")) {
            db.execute("INSERT INTO dst.people VALUES (1, 'old'), (2, 'old'), (3, 'old')");
        }
        String sync = SOURCES + DESTINATION.replace("MODE", mode).replace("    group: TRACKED\n", "");
        try (DromedaryHarness h = DromedaryHarness.startWithClock(properties(), sync, dir, CLOCK)) {
            h.runOnce("people");
            assertThat(groupRows()).containsExactly(List.of("1", "VIP"), List.of("2", "Senior"));
            // What a person sees of one record: properties, groups, and the last export per destination.
            assertThat(db.rows("SELECT properties ->> 'name', groups::text, last_exports -> 'people-out' ->> 'key', "
                    + "last_exports -> 'people-out' ->> 'groups' FROM dromedary.record_overview "
                    + "WHERE model = 'people' AND pk = '1'")).containsExactly(List.of("Ada", "{vips}", "1", "[\"VIP\"]"));
            db.execute("UPDATE people SET vip = true, updated_at = now() WHERE id = 2",
                    "UPDATE people SET vip = false, updated_at = now() WHERE id = 1");
            h.runOnce("people");
            assertThat(groupRows()).as(mode).containsExactly(List.of("2", "Senior"), List.of("2", "VIP"));
            assertThat(db.queryLong("SELECT count(*) FROM dst.people")).isEqualTo(3);

            // A change outside the groups updates the row and leaves its group rows as they are.
            String versions = "SELECT xmin::text FROM dst.people_groups WHERE person_id = 2 ORDER BY group_name";
            List<List<String>> before = db.rows(versions);
            db.execute("UPDATE people SET name = 'Grace', updated_at = now() WHERE id = 2");
            h.runOnce("people");
            assertThat(db.rows("SELECT name FROM dst.people WHERE id = 2")).containsExactly(List.of("Grace"));
            assertThat(db.rows(versions)).as(mode + ": group rows untouched").isEqualTo(before);
            if (!mode.equals("enrich")) {
                // A row removed by hand is written again on its next change, with its group rows.
                db.execute("DELETE FROM dst.people_groups WHERE person_id = 2", "DELETE FROM dst.people WHERE id = 2",
                        "UPDATE people SET name = 'Grace H', updated_at = now() WHERE id = 2");
                h.runOnce("people");
                assertThat(db.rows("SELECT name FROM dst.people WHERE id = 2")).containsExactly(List.of("Grace H"));
                assertThat(groupRows()).as(mode).containsExactly(List.of("2", "Senior"), List.of("2", "VIP"));
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"additive", "enrich"})
    void aRecordWhoseDestinationKeyChanges_getsItsGroupRowsUnderTheNewKey(String mode) throws Exception {
        // Keyed by email: the row under the new key exists already, so nothing is inserted and the groups did not
        // change, yet the rows under the new key must get the record's groups.
        db.execute("CREATE TABLE dst.by_email (email text PRIMARY KEY, name text)",
                "CREATE TABLE dst.email_groups (email text NOT NULL, group_name text NOT NULL)",
                "INSERT INTO dst.by_email VALUES ('ada@x.org', 'old'), ('ada@new.org', 'old')");
        String sync = SOURCES + """
                groups:
                  - name: vips
                    rules: [ { property: vip, op: eq, value: "true" } ]
                destinations:
                  - id: by-email
                    app: warehouse
                    table: by_email
                    primaryKey: email
                    syncMode: MODE
                    groupsTable: email_groups
                    groupForeignKey: email
                    groupColumnName: group_name
                    groups: { vips: VIP }
                    mappings: { email: email, name: name }
                """.replace("MODE", mode);
        try (DromedaryHarness h = DromedaryHarness.startWithClock(properties(), sync, dir, CLOCK)) {
            h.runOnce("people");
            db.execute("UPDATE people SET email = 'ada@new.org', updated_at = now() WHERE id = 1");
            h.runOnce("people");
        }
        assertThat(db.rows("SELECT email, group_name FROM dst.email_groups ORDER BY 1, 2")).as(mode)
                .contains(List.of("ada@new.org", "VIP"));
    }

    @Test
    void aTrackedGroup_sendsMembersOnly_andSyncDeletesARecordThatLeaves() throws Exception {
        for (String mode : new String[] {"sync", "additive", "enrich"}) {
            db.execute("TRUNCATE dst.people, dst.people_groups", "DROP SCHEMA IF EXISTS dromedary CASCADE",
                    "UPDATE people SET vip = (id = 1), updated_at = now()");
            if (mode.equals("enrich")) {
                db.execute("INSERT INTO dst.people VALUES (1, 'old')");
            }
            String sync = SOURCES + DESTINATION.replace("MODE", mode).replace("TRACKED", "vips");
            try (DromedaryHarness h = DromedaryHarness.startWithClock(properties(), sync, dir, CLOCK)) {
                h.runOnce("people");
                assertThat(db.rows("SELECT id::text FROM dst.people")).containsExactly(List.of("1"));
                assertThat(groupRows()).containsExactly(List.of("1", "VIP"));
                db.execute("UPDATE people SET vip = false, updated_at = now() WHERE id = 1");
                h.runOnce("people");
                if (mode.equals("sync")) {
                    assertThat(db.queryLong("SELECT count(*) FROM dst.people")).isZero();
                } else {
                    assertThat(db.rows("SELECT id::text FROM dst.people")).as(mode + " keeps the row").containsExactly(List.of("1"));
                }
                assertThat(groupRows()).as(mode + ": its group rows are gone").isEmpty();
            }
        }
    }

    @Test
    void anExportsRowFromBeforeV10_keepsItsJsonWhenOnlyItsGroupRowsAreCleared() throws Exception {
        db.execute("UPDATE people SET vip = (id = 1), updated_at = now()");
        String sync = SOURCES + DESTINATION.replace("MODE", "additive").replace("TRACKED", "vips");
        try (DromedaryHarness h = DromedaryHarness.startWithClock(properties(), sync, dir, CLOCK)) {
            h.runOnce("people");
            // As a store written before V10 holds it: the mapped values and group names as JSON, no key or hash.
            db.execute("UPDATE dromedary.exports e SET exported = jsonb_build_object('id', r.properties -> 'personId', "
                    + "'name', r.properties -> 'name', '$groups', '[\"VIP\"]'::jsonb), exported_key = NULL, "
                    + "values_hash = NULL, groups = NULL FROM dromedary.records r WHERE r.pk = e.pk");
            db.execute("UPDATE people SET vip = false, updated_at = now() WHERE id = 1");
            h.runOnce("people");
            assertThat(groupRows()).as("left the tracked group: its group rows go, its row stays").isEmpty();
            assertThat(db.rows("SELECT exported ->> 'name', values_hash IS NULL, groups::text FROM dromedary.exports"))
                    .containsExactly(List.of("Ada", "t", "{}"));

            db.execute("UPDATE people SET vip = true, updated_at = now() WHERE id = 1");
            h.runOnce("people");
            assertThat(groupRows()).containsExactly(List.of("1", "VIP"));
            assertThat(db.rows("SELECT exported_key, exported IS NULL, groups::text FROM dromedary.exports"))
                    .containsExactly(List.of("1", "t", "{VIP}"));
        }
    }

    @Test
    void recordsWrittenWithTheirMemberships_areNotReadAgainByTheGroupsStep() throws Exception {
        String sync = SOURCES + "groups:\n  - name: adults\n    rules: [ { property: age, op: gte, value: \"40\" } ]\n";
        try (DromedaryHarness h = DromedaryHarness.startWithClock(properties(), sync, dir, CLOCK)) {
            h.importOnce("people");
            h.importOnce("tags");
            assertThat(db.queryLong("SELECT last_seq FROM dromedary.group_cursors WHERE model = 'people'"))
                    .as("the writers moved the evaluation's cursor over the records they gave memberships")
                    .isEqualTo(db.queryLong("SELECT max(seq) FROM dromedary.records"));
            assertThat(h.groupsOnce("people")).isZero();
            db.execute("UPDATE people SET age = 18, updated_at = now() WHERE id = 2");
            h.importOnce("people");
            assertThat(db.queryLong("SELECT last_seq FROM dromedary.group_cursors WHERE model = 'people'"))
                    .isEqualTo(db.queryLong("SELECT max(seq) FROM dromedary.records"));
        }
        assertThat(membersOf("adults")).isEmpty();
    }

    @Test
    void aValueClearedAsADuplicate_isEvaluatedByTheGroupsStep() throws Exception {
        db.execute("INSERT INTO people (id, name, email) VALUES (4, 'Ada again', 'ada@x.org')");
        String sync = SOURCES.replace("type: email }", "type: email, unique: true }")
                + "groups:\n  - name: mailable\n    rules: [ { property: email, op: exists } ]\n";
        try (DromedaryHarness h = DromedaryHarness.startWithClock(properties(), sync, dir, CLOCK)) {
            h.importOnce("people");
            // The page's merge gave record 4 its membership with the address it then lost to record 1: that change
            // took no memberships, so the cursor stays before it and the groups step evaluates it.
            assertThat(db.queryLong("SELECT last_seq FROM dromedary.group_cursors WHERE model = 'people'"))
                    .isLessThan(db.queryLong("SELECT max(seq) FROM dromedary.records"));
            assertThat(h.groupsOnce("people")).isEqualTo(1);
        }
        assertThat(membersOf("mailable")).containsExactly("1", "2");
    }

    @Test
    void changedRules_reevaluateEveryRecordAtTheNextStart() throws Exception {
        String before = SOURCES + "groups:\n  - name: adults\n    rules: [ { property: age, op: gte, value: \"40\" } ]\n";
        try (DromedaryHarness h = DromedaryHarness.startWithClock(properties(), before, dir, CLOCK)) {
            h.runOnce("people");
        }
        assertThat(membersOf("adults")).containsExactly("2");
        try (DromedaryHarness h = DromedaryHarness.startWithClock(properties(), before.replace("\"40\"", "\"18\""), dir, CLOCK)) {
            h.runOnce("people");
        }
        assertThat(membersOf("adults")).as("no data changed, the rule did").containsExactly("1", "2");
    }

    @Test
    void relativeDateGroups_followTheClock() throws Exception {
        String sync = SOURCES + """
                groups:
                  - name: recent
                    rules: [ { property: seen, op: inThePast, value: "3 days" } ]
                """;
        try (DromedaryHarness h = DromedaryHarness.startWithClock(properties(), sync, dir, CLOCK)) {
            h.runOnce("people");
        }
        assertThat(membersOf("recent")).containsExactly("1");
        // Five days later nothing changed in the data, but record 1 is no longer recent and record 2 now is:
        // the groups schedule (on Quartz) re-evaluates every record.
        Clock later = Clock.offset(CLOCK, java.time.Duration.ofDays(5));
        try (DromedaryHarness h = DromedaryHarness.startScheduledWithClock(properties(), sync, dir, later)) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> membersOf("recent").equals(List.of("2")));
        }
    }

    @Test
    void aHundredThousandChangedRecords_recomputeGroupsInAFewStatements() throws Exception {
        db.execute("INSERT INTO people (id, name, age, vip) SELECT g, 'p' || g, g % 90, g % 7 = 0 "
                + "FROM generate_series(100, 100099) g");
        StatementCounter counter = new StatementCounter();
        String sources = SOURCES.replace("every: 1h }", "every: 1h, pageSize: 20000 }");
        // Imported before the model had groups: the records written later get theirs as they are written.
        try (DromedaryHarness h = DromedaryHarness.start(properties(), sources, dir)) {
            h.importOnce("people");
        }
        try (DromedaryHarness h = DromedaryHarness.start(properties(), sources + groupsYaml(), dir, counter::wrap)) {
            counter.executed.set(0);
            long changed = h.groupsOnce("people");
            assertThat(changed).isGreaterThan(100_000);
            // lock, read the cursor, read the newest seq, one UPDATE for all groups, save the cursor, and one
            // ANALYZE of the store after so large a change (paced by the store's size, read once from pg_class):
            // the same for 100 records or 100,000
            assertThat(counter.executed.get()).isLessThanOrEqualTo(7);
        }
        assertThat(db.queryLong("SELECT count(*) FROM dromedary.records WHERE 'anyOf' = ANY(groups)"))
                .isEqualTo(db.queryLong("SELECT count(*) FROM people WHERE age > 40 OR vip"));
    }
}
