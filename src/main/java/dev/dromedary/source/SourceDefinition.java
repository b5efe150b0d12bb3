package dev.dromedary.source;

import java.util.List;

/** A table or query source of one model. */
public record SourceDefinition(
        String id,
        SourceKind kind,
        String app,
        String table,
        Mapping mapping,
        Boolean primary,
        List<PropertyDefinition> properties,
        ScheduleDefinition schedule) {

    /** Whether this source's mapping column holds the model's primary-key property. */
    public boolean mapsTo(String property) {
        return mapping != null && property != null && property.equals(mapping.property());
    }
}
