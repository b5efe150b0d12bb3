package dev.dromedary.destination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.it.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A batch's group rows: written without looking up rows the batch's own upsert holds, and never orphaned. */
class GroupRowsWriteIT {
    private TestDatabase db;

    @BeforeEach
    void create() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE customers (id bigint PRIMARY KEY, email text)",
                "CREATE TABLE customer_groups (customer_id bigint NOT NULL, group_name text NOT NULL)",
                "CREATE INDEX ON customer_groups (customer_id)");
    }

    @AfterEach
    void drop() throws Exception {
        db.close();
    }

    private DestinationWriter writer(List<String> columns) {
        Map<String, String> mappings = columns.size() == 1 ? Map.of("id", "id") : Map.of("id", "id", "email", "email");
        var destination = new DestinationDefinition("customers", "warehouse", "customers", "id", mappings,
                SyncMode.SYNC, null, "customer_groups", "customer_id", "group_name",
                Map.of("high", "High value", "kiwis", "New Zealand"), 1_000);
        return new DestinationWriter(destination, "public", db.dataSource(), columns, "bigint", "bigint");
    }

    private static PlannedChange change(String id, String email, String... groups) {
        String[] values = email == null ? new String[] {id} : new String[] {id, email};
        return new PlannedChange("u" + id, values, null, List.of(groups), true, true);
    }

    private List<String> groupRows() throws Exception {
        return db.rows("SELECT customer_id || ':' || group_name FROM customer_groups ORDER BY 1").stream()
                .map(row -> row.get(0)).toList();
    }

    @Test
    void rowsTheBatchUpserted_getTheirGroupRows_withoutALookupOfTheDestinationTable() throws Exception {
        DestinationWriter writer = writer(List.of("id", "email"));
        db.execute("INSERT INTO customer_groups VALUES (2, 'stale')");
        List<PlannedChange> batch = List.of(change("1", "a@x.io", "High value", "New Zealand"),
                change("2", "b@x.io"), change("3", "c@x.io", "New Zealand"));
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            writer.upsert(c, batch);
            writer.replaceGroups(c, batch, true);
            c.commit();
        }

        assertThat(groupRows()).containsExactly("1:High value", "1:New Zealand", "3:New Zealand");
        // The upsert's DO UPDATE holds every row of the batch until it commits, so no row can vanish in between.
        assertThat(db.explain(writer.groupsInsertSql(true), new String[] {"1"}, new String[] {"g"}))
                .doesNotContain("customers_pkey").doesNotContain("on customers");
    }

    @Test
    void withoutTheBatchsUpsert_onlyKeysWhoseRowExists_getGroupRows() throws Exception {
        DestinationWriter writer = writer(List.of("id", "email"));
        db.execute("INSERT INTO customers VALUES (1, 'a@x.io')");
        List<PlannedChange> batch = List.of(change("1", "a@x.io", "High value"), change("2", "b@x.io", "High value"));
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            writer.replaceGroups(c, batch, false);
            c.commit();
        }

        assertThat(groupRows()).containsExactly("1:High value");
    }

    @Test
    void aDestinationOfOnlyItsKey_stillLooksUpEachRow_asItsUpsertLocksNone() throws Exception {
        DestinationWriter keyOnly = writer(List.of("id"));
        db.execute("INSERT INTO customers VALUES (1, 'a@x.io')");
        List<PlannedChange> batch = List.of(change("1", null, "High value"), change("2", null, "High value"));
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            keyOnly.upsert(c, batch);
            // Stands for a row deleted by someone else after the upsert (DO NOTHING) and before the group rows.
            c.createStatement().execute("DELETE FROM customers WHERE id = 2");
            keyOnly.replaceGroups(c, batch, true);
            c.commit();
        }

        assertThat(groupRows()).containsExactly("1:High value");
        assertThat(keyOnly.groupsInsertSql(true)).contains("EXISTS");
    }
}
