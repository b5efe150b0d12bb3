package dev.dromedary.destination;

import java.util.List;

/**
 * One record's change for a destination: its key in the record store, the column values to write (in the
 * destination's mapping order; for a delete, the values last exported, so the row can be found) and the
 * mapped values' JSON form, remembered once exported; the names its rows in the groups table must have, and whether
 * they differ from the names last exported (group rows are rewritten only then).
 */
public record PlannedChange(String recordKey, String[] values, String mappedJson, List<String> groups,
                            boolean groupsChanged) {
}
