package dev.dromedary.record;

/** A kind of record (e.g. users) and the property that identifies each record. */
public record ModelDefinition(String name, String primaryKey) {
}
