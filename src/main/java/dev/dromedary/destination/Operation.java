package dev.dromedary.destination;

/** What an export does to one destination row; the export route's choice() switches on it. */
public enum Operation {
    INSERT, UPDATE, DELETE,
    /** Group rows only: a record that left (additive, enrich) keeps its row; its group rows are cleared. */
    GROUPS;

    public String header() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
