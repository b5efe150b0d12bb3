package dev.dromedary.destination;

/**
 * One record's change for a destination: its key in the record store, the mapped column values (in the
 * destination's mapping order) and their JSON form as it will be remembered once exported.
 */
public record PlannedChange(String recordKey, String[] values, String mappedJson) {
}
