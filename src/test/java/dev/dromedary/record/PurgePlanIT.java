package dev.dromedary.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.it.StoreDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How PostgreSQL plans the purge of tombstones on a store of many live records. */
class PurgePlanIT {
    @RegisterExtension
    final StoreDatabase stored = new StoreDatabase();

    @Test
    void thePurgeReadsTheTombstones_notEveryRecordOfTheStore() throws Exception {
        stored.insertRecords("users", 50_000);
        stored.db().execute("UPDATE dromedary.records SET deleted_at = now() WHERE pk IN ('7', '70', '700')",
                "ANALYZE dromedary.records");
        String[] destinations = {"customers"};
        RecordDeleter deleter = new RecordDeleter(stored.store(), "users");
        String plan = stored.db().explain(deleter.purgeSql(), "users", destinations, destinations);

        assertThat(plan).contains("records_tombstones").doesNotContain("Seq Scan on records");
        // And it removes exactly the tombstones (a model without destinations keeps none).
        assertThat(deleter.purge(List.of())).isEqualTo(3);
        assertThat(stored.db().queryLong("SELECT count(*) FROM dromedary.records")).isEqualTo(49_997);
    }
}
