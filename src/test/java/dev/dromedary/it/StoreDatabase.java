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

    public TestDatabase db() {
        return db;
    }

    public RecordStore store() {
        return store;
    }
}
