package dev.dromedary.it;

import dev.dromedary.record.RecordStore;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A throw-away database holding a migrated record store (schema {@code dromedary}), one per test. */
public final class StoreDatabase implements BeforeEachCallback, AfterEachCallback {
    private TestDatabase db;
    private RecordStore store;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        db = TestDatabase.create();
        store = new RecordStore(db.dataSource(), "dromedary");
        store.migrate();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        db.close();
    }

    /** Records {@code 1..count} of a model, straight into the store: properties {"id": n}, seq n. */
    public void insertRecords(String model, int count) throws Exception {
        db.execute("INSERT INTO dromedary.records (model, pk, properties, seq) SELECT " + dev.dromedary.sql.Identifiers
                .literal(model) + ", g::text, jsonb_build_object('id', g), g FROM generate_series(1, " + count + ") g");
    }

    public TestDatabase db() {
        return db;
    }

    public RecordStore store() {
        return store;
    }
}
