package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full sync with roles holding exactly the grants docs/operations.md lists, and nothing more. */
class LeastPrivilegeIT {
    @TempDir
    Path dir;
    TestDatabase db;
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String reader = "dromedary_reader_" + suffix;
    final String storeOwner = "dromedary_store_" + suffix;
    final String writer = "dromedary_writer_" + suffix;

    @BeforeEach
    void createTablesAndRoles() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE SCHEMA src", "CREATE SCHEMA dst",
                "CREATE TABLE src.users (id int PRIMARY KEY, email text, country text, updated_at timestamptz NOT NULL)",
                "INSERT INTO src.users SELECT g, 'u' || g || '@x.org', CASE WHEN g % 3 = 0 THEN 'NZ' ELSE 'FR' END, now() "
                        + "FROM generate_series(1, 500) g",
                "CREATE TABLE src.purchases (id serial PRIMARY KEY, user_id int, amount numeric, updated_at timestamptz NOT NULL DEFAULT now())",
                "INSERT INTO src.purchases (user_id, amount) SELECT g % 500 + 1, g FROM generate_series(1, 1500) g",
                "CREATE TABLE dst.customers (id int PRIMARY KEY, email text, spent numeric)",
                "CREATE TABLE dst.customer_groups (customer_id int, group_name text)",
                "CREATE ROLE " + reader + " LOGIN", "CREATE ROLE " + storeOwner + " LOGIN", "CREATE ROLE " + writer + " LOGIN",
                // source: read the tables, nothing else
                "GRANT USAGE ON SCHEMA src TO " + reader,
                "GRANT SELECT ON src.users, src.purchases TO " + reader,
                // record store: a schema of its own
                "CREATE SCHEMA store AUTHORIZATION " + storeOwner,
                // destination: read and write the mapped tables
                "GRANT USAGE ON SCHEMA dst TO " + writer,
                "GRANT SELECT, INSERT, UPDATE, DELETE ON dst.customers, dst.customer_groups TO " + writer,
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    }

    @AfterEach
    void dropDatabaseAndRoles() throws Exception {
        db.close();
        try (var c = TestDatabase.connect("postgres"); var st = c.createStatement()) {
            for (String role : List.of(reader, storeOwner, writer)) {
                st.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    private static void app(Properties p, String name, TestDatabase db, String schema, String user) {
        DromedaryHarness.app(p, name, db, schema);
        p.setProperty("dromedary.apps." + name + ".user", user);
    }

    private Properties apps() {
        Properties p = new Properties();
        app(p, "crm", db, "src", reader);
        app(p, "store", db, "store", storeOwner);
        app(p, "warehouse", db, "dst", writer);
        p.setProperty("dromedary.store.app", "store");
        p.setProperty("dromedary.store.schema", "store");
        return p;
    }

    private static final String SYNC = """
                model: { name: users, primaryKey: userId }
                sources:
                  - id: users
                    app: crm
                    table: users
                    primary: true
                    mapping: { column: id, property: userId }
                    properties: [ { name: email, column: email }, { name: country, column: country } ]
                    schedule: { column: updated_at, every: 1h, confirmRecords: true }
                  - id: purchases
                    app: crm
                    table: purchases
                    mapping: { column: user_id, property: userId }
                    properties: [ { name: spent, column: amount, type: float, aggregation: sum } ]
                    schedule: { column: updated_at, every: 1h }
                groups:
                  - name: kiwis
                    rules: [ { property: country, op: eq, value: NZ } ]
                destinations:
                  - id: customers
                    app: warehouse
                    table: customers
                    primaryKey: id
                    mappings: { id: userId, email: email, spent: spent }
                    groupsTable: customer_groups
                    groupForeignKey: customer_id
                    groupColumnName: group_name
                    groups: { kiwis: Kiwis }
                """;

    @Test
    void aFullSync_withExactlyTheDocumentedGrants() throws Exception {
        try (DromedaryHarness h = DromedaryHarness.start(apps(), SYNC, dir)) {
            h.runOnce("users");
            db.execute("UPDATE src.purchases SET amount = 0, updated_at = now() WHERE user_id = 7",
                    "DELETE FROM src.users WHERE id = 9");
            h.runOnce("users");
            h.runOnce("purchases");
            // the purchases cursor, set by its first run (paged over records), picks up what changes next
            db.execute("UPDATE src.purchases SET amount = amount + 1000, updated_at = now() WHERE user_id = 8");
            assertThat(h.importOnce("purchases").rowsRead).isEqualTo(3);
            h.runOnce("users");
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(499);
        assertThat(db.queryLong("""
                SELECT count(*) FROM (
                  SELECT u.id, u.email, coalesce((SELECT sum(amount) FROM src.purchases WHERE user_id = u.id), 0) AS spent
                  FROM src.users u
                  EXCEPT SELECT id, email, spent FROM dst.customers) d""")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM dst.customer_groups WHERE group_name = 'Kiwis'"))
                .isEqualTo(db.queryLong("SELECT count(*) FROM src.users WHERE country = 'NZ'"));
    }

    @Test
    void aDestinationTableWithRowLevelSecurity_takesItsFirstRowsByTheUpsert() throws Exception {
        // PostgreSQL refuses COPY into a table whose row-level security applies to the writer.
        db.execute("ALTER TABLE dst.customers ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY writer_all ON dst.customers TO " + writer + " USING (true) WITH CHECK (true)");
        try (DromedaryHarness h = DromedaryHarness.start(apps(), SYNC, dir)) {
            h.runOnce("users");
        }
        assertThat(db.queryLong("SELECT count(*) FROM dst.customers")).isEqualTo(500);
        assertThat(db.queryLong("SELECT count(*) FROM store.export_errors")).isZero();
    }
}
