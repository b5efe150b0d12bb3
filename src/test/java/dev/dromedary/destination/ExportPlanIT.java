package dev.dromedary.destination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.it.StoreDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How PostgreSQL plans the export planner's page query on a store whose statistics trail its contents. */
class ExportPlanIT {
    @RegisterExtension
    final StoreDatabase stored = new StoreDatabase();

    @Test
    void lastExportsAreLookedUpByKey_evenForADestinationTheStatisticsDoNotKnowYet() throws Exception {
        // A store that one destination has filled and that was analyzed then; a second destination (a second
        // model's, or a new one) has since written 10,000 rows the statistics know nothing of.
        stored.insertRecords("users", 30_000);
        stored.db().execute("INSERT INTO dromedary.exports (destination, pk, exported_key, values_hash) "
                        + "SELECT 'customers', g::text, g::text, gen_random_uuid() FROM generate_series(1, 30000) g",
                "ANALYZE dromedary.records, dromedary.exports",
                "INSERT INTO dromedary.exports (destination, pk, exported_key, values_hash) "
                        + "SELECT 'archive', g::text, g::text, gen_random_uuid() FROM generate_series(1, 10000) g");
        var destination = new DestinationDefinition("archive", "warehouse", "archive", "id", Map.of("id", "id"),
                SyncMode.SYNC, null, null, null, null, Map.of(), 5000);
        String plan = stored.db().explain(new ExportPlanner(stored.store(), destination, "users").pageSql(),
                10000L, "archive", "users", 10000L, 20000L, 5000);

        // Each record's last export is one probe of the exports key; a plan that scans the destination's exports
        // and filters them per record costs batch × exports, and grows with every batch.
        assertThat(plan).contains("Index Cond: ((destination = 'archive'::text) AND (pk = r.pk))")
                .doesNotContain("Join Filter");
    }

    @Test
    void recordsCreatedAfterTheBatchStart_areNotLookedUpInExports() throws Exception {
        // 10,000 records created at seq 1..10,000, of which the destination was sent the first 5,000; then 100 of
        // those changed (seq 10,001..10,100). The batch after the cursor at 5,000 holds 5,100 records.
        stored.db().execute("INSERT INTO dromedary.records (model, pk, properties, seq, created_seq) SELECT 'users', "
                        + "g::text, jsonb_build_object('id', g), g, g FROM generate_series(1, 10000) g",
                "INSERT INTO dromedary.exports (destination, pk, exported_key, values_hash) "
                        + "SELECT 'archive', g::text, g::text, gen_random_uuid() FROM generate_series(1, 5000) g",
                "UPDATE dromedary.records SET seq = 10000 + pk::int WHERE pk::int <= 100",
                "ANALYZE dromedary.records, dromedary.exports");
        var destination = new DestinationDefinition("archive", "warehouse", "archive", "id", Map.of("id", "id"),
                SyncMode.SYNC, null, null, null, null, Map.of(), 10_000);
        String plan = stored.db().explain("(ANALYZE, COSTS OFF, TIMING OFF) "
                + new ExportPlanner(stored.store(), destination, "users").pageSql(),
                5000L, "archive", "users", 5000L, 10_100L, 10_000);

        // Only the 100 records that existed when the destination's cursor was set can have a last export.
        assertThat(plan).containsPattern("Index Scan using exports_pkey on exports x \\(actual rows=1 loops=100\\)");
    }
}
