package dev.dromedary.group;

/** One rule: property, operator, and a value (or, for relative dates, an amount of a unit). */
public record GroupRule(String property, GroupOp op, String value, String where) {
}
