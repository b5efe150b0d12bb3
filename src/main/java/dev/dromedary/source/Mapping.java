package dev.dromedary.source;

/** How a source's rows find their record: the column whose value is the given property's value. */
public record Mapping(String column, String property) {
}
