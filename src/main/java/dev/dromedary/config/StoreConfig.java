package dev.dromedary.config;

/** Where the record store lives: a schema inside the database of one App. */
public record StoreConfig(String app, String schema) {
    public static final String DEFAULT_APP = "dromedary";
    public static final String DEFAULT_SCHEMA = "dromedary";
}
