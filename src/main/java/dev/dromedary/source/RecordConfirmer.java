package dev.dromedary.source;

import dev.dromedary.record.RecordDeleter;
import dev.dromedary.sql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * confirmRecords: after a run of a primary source, re-checks every record of the model by key, a page at a
 * time, and deletes those whose row is gone. Costs one statement per page of records on each side.
 */
public final class RecordConfirmer {
    private final EnrichQueue records;
    private final RecordDeleter deleter;
    private final DataSource sourceData;
    private final String existsSql;
    private final int pageSize;
    private final SqlFilters filters;

    public RecordConfirmer(SourceDefinition source, TableShape shape, DataSource sourceData, EnrichQueue records,
                           RecordDeleter deleter) {
        this.records = records;
        this.deleter = deleter;
        this.sourceData = sourceData;
        this.pageSize = source.schedule().pageSize();
        String key = "t." + Identifiers.quote(source.mapping().column());
        // A row the schedule's filters leave out is not the source's any more: its record goes too.
        this.filters = SqlFilters.of(source.schedule().filters(), shape::type);
        this.existsSql = "SELECT DISTINCT " + key + "::text FROM " + Identifiers.qualified(shape.schema(), source.table())
                + " t WHERE " + key + " = ANY(CAST(? AS text[])::" + shape.type(source.mapping().column()) + "[]) AND "
                + filters.sql();
    }

    /** @return how many records were deleted */
    public long confirm() throws SQLException {
        long deleted = 0;
        String after = null;
        while (true) {
            EnrichQueue.Batch batch = records.records(after, pageSize);
            if (batch.recordKeys().isEmpty()) {
                return deleted;
            }
            Set<String> present = new HashSet<>();
            try (Connection c = sourceData.getConnection(); PreparedStatement ps = c.prepareStatement(existsSql)) {
                ps.setArray(1, c.createArrayOf("text", batch.recordKeys().toArray()));
                int i = 2;
                for (String p : filters.parameters()) {
                    ps.setString(i++, p);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        present.add(rs.getString(1));
                    }
                }
            }
            List<String> gone = new ArrayList<>();
            for (String k : batch.recordKeys()) {
                if (!present.contains(k)) {
                    gone.add(k);
                }
            }
            deleted += deleter.markDeleted(gone);
            after = batch.recordKeys().get(batch.recordKeys().size() - 1);
            if (batch.recordKeys().size() < pageSize) {
                return deleted;
            }
        }
    }
}
