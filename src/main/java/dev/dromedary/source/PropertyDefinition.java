package dev.dromedary.source;

import dev.dromedary.record.PropertyType;
import java.util.List;

/**
 * A property a source provides: from a column with an aggregation (table source) or from a query (query
 * source). {@code array} keeps every row's value; {@code unique} refuses duplicates across records.
 */
public record PropertyDefinition(
        String name,
        PropertyType type,
        String column,
        Aggregation aggregation,
        String sortColumn,
        boolean array,
        boolean unique,
        List<Filter> filters,
        String query) {
}
