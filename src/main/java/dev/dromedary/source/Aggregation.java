package dev.dromedary.source;

/** How a table source turns the rows of one record into one property value. */
public enum Aggregation {
    EXACT, AVERAGE, COUNT, SUM, MIN, MAX, MOST_RECENT_VALUE, LEAST_RECENT_VALUE
}
