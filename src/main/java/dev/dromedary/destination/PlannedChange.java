package dev.dromedary.destination;

import java.util.List;
import java.util.UUID;

/**
 * One record's change for a destination: its key in the record store, the column values to write (in the
 * destination's mapping order; for a delete or a clear of group rows, only the key last exported, so the row can be
 * found) and their {@link ValuesHash}, remembered once exported (null for a delete); the names its rows in the groups
 * table must have, and whether they differ from the names last exported (group rows are rewritten only then);
 * and whether the store remembers no export of the record to this destination (its {@code exports} row is new).
 */
public record PlannedChange(String recordKey, String[] values, UUID valuesHash, List<String> groups,
                            boolean groupsChanged, boolean firstExport) {
}
