package dev.dromedary.record;

import dev.dromedary.sql.Identifiers;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The record store: a schema in one App's database holding records, cursors, export state and runs. */
public final class RecordStore {
    private final DataSource dataSource;
    private final String schema;
    // Row counts of store tables as of the last ANALYZE this process saw (pg_class.reltuples), read on demand.
    private final java.util.Map<String, Long> analyzedRows = new java.util.concurrent.ConcurrentHashMap<>();

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

    /** Records which model each configured destination exports, for {@code record_overview}. */
    public void saveDestinationModels(java.util.Map<String, java.util.List<String>> destinationsByModel)
            throws java.sql.SQLException {
        java.util.List<String> destinations = new java.util.ArrayList<>();
        java.util.List<String> models = new java.util.ArrayList<>();
        destinationsByModel.forEach((model, ds) -> ds.forEach(d -> {
            destinations.add(d);
            models.add(model);
        }));
        if (destinations.isEmpty()) {
            return;
        }
        try (java.sql.Connection c = dataSource.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO " + table("destination_models")
                     + " (destination, model) SELECT * FROM unnest(?::text[], ?::text[]) ON CONFLICT (destination) "
                     + "DO UPDATE SET model = excluded.model WHERE destination_models.model <> excluded.model")) {
            ps.setArray(1, c.createArrayOf("text", destinations.toArray()));
            ps.setArray(2, c.createArrayOf("text", models.toArray()));
            ps.executeUpdate();
        }
    }

    /** An index on one property's value, for secondary sources that match on it and for unique properties. */
    public void indexProperty(String property) {
        String name = "records_p_" + Integer.toHexString(property.hashCode()) + "_" + property.length();
        String sql = "CREATE INDEX IF NOT EXISTS " + Identifiers.quote(name) + " ON " + table("records")
                + " (model, (properties ->> " + Identifiers.literal(property) + "))";
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create the record store index for property '" + property + "': "
                    + e.getMessage(), e);
        }
    }

    /**
     * Refreshes the planner's statistics of the named store tables after a large change to them: without them (and
     * autovacuum may be off, or behind) joins to records turn into scans of the whole table. Only the tables a
     * writer changed: sampling an unchanged million-record table would cost as much and tell nothing new.
     */
    public void analyze(String... names) {
        if (names.length == 0) {
            return;
        }
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute("ANALYZE " + String.join(", ", java.util.Arrays.stream(names).map(this::table).toList()));
            for (String name : names) {
                analyzedRows.remove(name);
            }
        } catch (java.sql.SQLException e) {
            org.slf4j.LoggerFactory.getLogger(RecordStore.class).warn("ANALYZE of the record store failed: {}",
                    e.getMessage());
        }
    }

    /**
     * How many rows the statistics say a store table holds (0 before its first ANALYZE): pg_class, no scan. Read
     * once and kept until the next {@link #analyze}, so pacing the statistics costs no extra statement per run.
     */
    public long analyzedRows(String name) {
        Long known = analyzedRows.get(name);
        if (known != null) {
            return known;
        }
        long n = 0;
        try (java.sql.Connection c = dataSource.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement(
                     "SELECT greatest(coalesce(max(reltuples), 0), 0)::bigint FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, table(name));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                n = rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            // unknown: pace as for an empty store
        }
        analyzedRows.put(name, n);
        return n;
    }

    /** The sequence that numbers record changes, as a regclass literal for nextval(). */
    public String sequenceLiteral() {
        return Identifiers.literal(Identifiers.qualified(schema, "record_seq"));
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
