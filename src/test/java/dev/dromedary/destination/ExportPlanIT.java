package dev.dromedary.destination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.it.TestDatabase;
import dev.dromedary.record.RecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** How PostgreSQL plans the export planner's page query on a store whose statistics trail its contents. */
class ExportPlanIT {
    TestDatabase db;
    RecordStore store;

    @BeforeEach
    void createStore() throws Exception {
        db = TestDatabase.create();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://" + TestDatabase.HOST + ":" + TestDatabase.PORT + "/" + db.name());
        ds.setUser(TestDatabase.USER);
        store = new RecordStore(ds, "dromedary");
        store.migrate();
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    @Test
    void lastExportsAreLookedUpByKey_evenForADestinationTheStatisticsDoNotKnowYet() throws Exception {
        // A store that one destination has filled and that was analyzed then; a second destination (a second
        // model's, or a new one) has since written 10,000 rows the statistics know nothing of.
        db.execute("INSERT INTO dromedary.records (model, pk, properties, seq) "
                        + "SELECT 'users', g::text, jsonb_build_object('id', g), g FROM generate_series(1, 30000) g",
                "INSERT INTO dromedary.exports (destination, pk, exported) "
                        + "SELECT 'customers', g::text, jsonb_build_object('id', g) FROM generate_series(1, 30000) g",
                "ANALYZE dromedary.records, dromedary.exports",
                "INSERT INTO dromedary.exports (destination, pk, exported) "
                        + "SELECT 'archive', g::text, jsonb_build_object('id', g) FROM generate_series(1, 10000) g");
        var destination = new DestinationDefinition("archive", "warehouse", "archive", "id", Map.of("id", "id"),
                SyncMode.SYNC, null, null, null, null, Map.of(), 5000);
        String plan = explain(new ExportPlanner(store, destination, "users").pageSql(),
                "archive", "users", 10000L, 20000L, 5000);

        // Each record's last export is one probe of the exports key; a plan that scans the destination's exports
        // and filters them per record costs batch × exports, and grows with every batch.
        assertThat(plan).contains("Index Cond: ((destination = 'archive'::text) AND (pk = r.pk))")
                .doesNotContain("Join Filter");
    }

    private String explain(String sql, Object... parameters) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }
}
