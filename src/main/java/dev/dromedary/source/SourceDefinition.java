package dev.dromedary.source;

import java.util.List;

/** A table or query source of one model. */
public record SourceDefinition(
        String id,
        SourceKind kind,
        String app,
        String table,
        Mapping mapping,
        List<PropertyDefinition> properties,
        ScheduleDefinition schedule) {

    /** A primary source maps to the model's primary key and creates records; others only enrich them. */
    public boolean isPrimaryFor(String primaryKeyProperty) {
        return mapping != null && mapping.property().equals(primaryKeyProperty);
    }
}
