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
        return property != null && property.equals(keyProperty());
    }

    /** The property this source's rows are keyed by: the mapping's, or a query source's schedule property. */
    public String keyProperty() {
        if (mapping != null) {
            return mapping.property();
        }
        return schedule == null ? null : schedule.queryProperty();
    }
}
