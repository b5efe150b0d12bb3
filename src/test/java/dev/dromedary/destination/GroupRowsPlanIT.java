package dev.dromedary.destination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.it.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How PostgreSQL plans the removal of a batch's group rows from a groups table that has grown large. */
class GroupRowsPlanIT {
    private TestDatabase db;

    @BeforeEach
    void create() throws Exception {
        db = TestDatabase.create();
    }

    @AfterEach
    void drop() throws Exception {
        db.close();
    }

    @Test
    void aBatchOfKeysProbesTheGroupsTablesIndex_insteadOfScanningTheTable() throws Exception {
        db.execute("CREATE TABLE customers (id bigint PRIMARY KEY, email text)",
                "CREATE TABLE customer_groups (customer_id bigint NOT NULL, group_name text NOT NULL)",
                "CREATE INDEX ON customer_groups (customer_id)",
                "INSERT INTO customer_groups SELECT g, 'high value' FROM generate_series(1, 200000) g",
                "ANALYZE customer_groups");
        var destination = new DestinationDefinition("customers", "warehouse", "customers", "id",
                Map.of("id", "id", "email", "email"), SyncMode.SYNC, null, "customer_groups", "customer_id",
                "group_name", Map.of("high", "high value"), 10_000);
        var writer = new DestinationWriter(destination, "public", db.dataSource(), List.of("id", "email"), "bigint",
                "bigint");
        String[] batch = IntStream.rangeClosed(1, 10_000).map(i -> i * 20).mapToObj(Integer::toString)
                .toArray(String[]::new);

        String plan = db.explain(writer.groupsDeleteSql(), (Object) batch);

        // Given the 10,000 keys themselves, the planner estimated 5% of the table and scanned all of it, per batch.
        assertThat(plan).contains("Index Cond: (customer_id = ANY").doesNotContain("Seq Scan on customer_groups");
    }
}
