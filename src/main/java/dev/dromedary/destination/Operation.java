package dev.dromedary.destination;

/** What an export does to one destination row; the export route's choice() switches on it. */
public enum Operation {
    INSERT, UPDATE, DELETE;

    public String header() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
