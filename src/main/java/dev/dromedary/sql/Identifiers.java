package dev.dromedary.sql;

import java.nio.charset.StandardCharsets;

/** Validates and quotes SQL identifiers that come from configuration: they are always names, never SQL. */
public final class Identifiers {
    private Identifiers() {
    }

    /** Why a configured name cannot be a PostgreSQL identifier, or null when it can. */
    public static String problem(String name) {
        if (name == null || name.isBlank()) {
            return "is empty";
        }
        if (name.indexOf('\0') >= 0) {
            return "contains a NUL character";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 63) {
            return "is longer than PostgreSQL's 63-byte identifier limit";
        }
        return null;
    }

    /** Quotes a name so PostgreSQL reads it as exactly that name, whatever characters it holds. */
    public static String quote(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("identifier '" + name + "' " + problem);
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * A configured name (a property, a column used as a JSON key) as a SQL string literal. Only names from the
     * configuration come here; values from data are always bound parameters.
     */
    public static String literal(String name) {
        return "'" + name.replace("'", "''") + "'";
    }

    public static String qualified(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }
}
