package dev.dromedary.destination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dromedary.it.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rows of records never sent to the destination go in by COPY, and come back to the upsert when one is there. */
class FirstRowsCopyIT {
    private TestDatabase db;
    private DestinationWriter writer;

    @BeforeEach
    void create() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(20))");
        var destination = new DestinationDefinition("customers", "warehouse", "customers", "id",
                Map.of("id", "id", "email", "email"), SyncMode.SYNC, null, null, null, null, Map.of(), 1_000);
        writer = new DestinationWriter(destination, "public", db.dataSource(), List.of("id", "email"), "bigint", null);
    }

    @AfterEach
    void drop() throws Exception {
        db.close();
    }

    private static PlannedChange first(String id, String email) {
        return new PlannedChange("u" + id, new String[] {id, email}, null, List.of(), false, true);
    }

    private List<List<String>> customers() throws Exception {
        return db.rows("SELECT id::text, email FROM customers ORDER BY id");
    }

    @Test
    void newRows_goInByCopy() throws Exception {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            assertThat(writer.takesCopy(c)).isTrue();
            assertThat(writer.copyNew(c, List.of(first("1", "a@x.io"), first("2", "tab\there"))))
                    .isEqualTo(new DestinationWriter.Copied(2, null));
            c.commit();
        }

        assertThat(customers()).containsExactly(List.of("1", "a@x.io"), List.of("2", "tab\there"));
    }

    @Test
    void aKeyTheTableHoldsAlready_leavesTheTableAsItWas_andTheTransactionUsableForTheUpsert() throws Exception {
        db.execute("INSERT INTO customers VALUES (2, 'old@x.io')");
        List<PlannedChange> batch = List.of(first("1", "a@x.io"), first("2", "b@x.io"), first("3", "c@x.io"));
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            assertThat(writer.copyNew(c, batch)).as("nothing copied").isEqualTo(new DestinationWriter.Copied(0,
                    "duplicate key value violates unique constraint \"customers_pkey\""));
            assertThat(count(c)).as("row 1, copied before row 2 failed, is rolled back").isEqualTo(1);
            assertThat(writer.upsert(c, batch)).containsExactly(2, 1);
            c.commit();
        }

        assertThat(customers()).containsExactly(List.of("1", "a@x.io"), List.of("2", "b@x.io"), List.of("3", "c@x.io"));
    }

    @Test
    void aValueTheTableRefuses_isThrown_forTheBatchToBeSplit() throws Exception {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> writer.copyNew(c, List.of(first("1", "a@x.io"), first("2", "x".repeat(30)))))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22001"));
            c.rollback();
        }

        assertThat(customers()).isEmpty();
    }

    @Test
    void aView_takesNoCopy() throws Exception {
        db.execute("CREATE VIEW customers_view AS SELECT id, email FROM customers");
        var destination = new DestinationDefinition("customers", "warehouse", "customers_view", "id",
                Map.of("id", "id", "email", "email"), SyncMode.SYNC, null, null, null, null, Map.of(), 1_000);
        var viewWriter = new DestinationWriter(destination, "public", db.dataSource(), List.of("id", "email"),
                "bigint", null);
        try (Connection c = db.connect()) {
            assertThat(viewWriter.takesCopy(c)).isFalse();
        }
    }

    private static long count(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM customers")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
