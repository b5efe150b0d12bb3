package dev.dromedary.source;

/** Where an incremental schedule stands: past (value, key). Both null means "from the beginning". */
public record Cursor(String value, String key) {
    public static final Cursor START = new Cursor(null, null);

    public boolean isStart() {
        return value == null && key == null;
    }
}
