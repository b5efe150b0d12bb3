package dev.dromedary.source;

/** One filter on a source column; filters of a list are ANDed. */
public record Filter(String column, FilterOp op, String value) {
}
