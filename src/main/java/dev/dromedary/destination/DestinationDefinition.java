package dev.dromedary.destination;

import java.util.Map;

/**
 * A Postgres Export Record destination: records of one model into a table, keyed by {@code primaryKey}, with
 * {@code mappings} column → property; tracked groups into a second table.
 */
public record DestinationDefinition(
        String id,
        String app,
        String table,
        String primaryKey,
        Map<String, String> mappings,
        SyncMode syncMode,
        String trackedGroup,
        String groupsTable,
        String groupForeignKey,
        String groupColumnName,
        Map<String, String> groups,
        int batchSize) {

    public static final int DEFAULT_BATCH_SIZE = 5000;

    /** The property mapped to the destination's primary-key column. */
    public String primaryKeyProperty() {
        return mappings.get(primaryKey);
    }
}
