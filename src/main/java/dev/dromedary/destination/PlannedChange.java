package dev.dromedary.destination;

/**
 * One record's change for a destination: its key in the record store, the column values to write (in the
 * destination's mapping order; for a delete, the values last exported, so the row can be found) and the
 * mapped values' JSON form, remembered once exported.
 */
public record PlannedChange(String recordKey, String[] values, String mappedJson) {
}
