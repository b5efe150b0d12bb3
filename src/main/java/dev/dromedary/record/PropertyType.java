package dev.dromedary.record;

/** The type of a property's values, which decides conversion and how the record store keeps them. */
public enum PropertyType {
    STRING, INTEGER, FLOAT, BOOLEAN, DATE, TIMESTAMP, EMAIL, URL
}
