package dev.dromedary.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.it.StoreDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What an ANALYZE of the record store samples: the columns plans filter, join and sort on, and no others. */
class StoreStatisticsIT {
    @RegisterExtension
    final StoreDatabase stored = new StoreDatabase();

    @Test
    void theStoreKeepsStatistics_forKeysSeqsAndPropertyIndexes_notForItsJson() throws Exception {
        stored.insertRecords("users", 2_000);
        stored.store().indexProperty("id");
        stored.db().execute("INSERT INTO dromedary.exports (destination, pk, exported_key, values_hash, groups) "
                + "SELECT 'customers', g::text, g::text, gen_random_uuid(), '{a}' FROM generate_series(1, 2000) g");
        stored.store().analyze("records", "exports");

        List<List<String>> columns = stored.db().rows("SELECT tablename || '.' || attname FROM pg_stats "
                + "WHERE schemaname = 'dromedary' AND tablename IN ('records', 'exports') ORDER BY 1");
        assertThat(columns).flatExtracting(row -> row).containsExactly("exports.destination", "exports.pk",
                "records.deleted_at", "records.model", "records.pk", "records.seq");
        // The expression of a property's index (for secondary sources and unique properties) is sampled still.
        assertThat(stored.db().queryLong("SELECT count(*) FROM pg_stats WHERE schemaname = 'dromedary' "
                + "AND tablename LIKE 'records_p_%'")).isEqualTo(1);
    }
}
