package dev.dromedary.record;

import dev.dromedary.sql.Identifiers;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The record store: a schema in one App's database holding records, cursors, export state and runs. */
public final class RecordStore {
    private final DataSource dataSource;
    private final String schema;

    public RecordStore(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /** Creates or upgrades the store's tables; versions are kept in the schema's flyway_schema_history. */
    public void migrate() {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(schema)
                .defaultSchema(schema)
                .locations("classpath:db/dromedary")
                .createSchemas(true)
                .load()
                .migrate();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** A store table's qualified, quoted name. */
    public String table(String name) {
        return Identifiers.qualified(schema, name);
    }

    public String schema() {
        return schema;
    }
}
