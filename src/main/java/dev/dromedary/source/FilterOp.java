package dev.dromedary.source;

/** Operators of property and schedule filters. */
public enum FilterOp {
    EQ, NE, GT, GTE, LT, LTE, SUBSTRING, NOT_SUBSTRING, EXISTS, NOT_EXISTS;

    public boolean takesValue() {
        return this != EXISTS && this != NOT_EXISTS;
    }
}
