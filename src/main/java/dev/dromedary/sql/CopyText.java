package dev.dromedary.sql;

/** Encodes rows in PostgreSQL's COPY text format (tab-separated, \N for null, backslash escapes). */
public final class CopyText {
    private final StringBuilder out = new StringBuilder(1 << 16);
    private boolean rowStarted;

    public CopyText field(String value) {
        if (rowStarted) {
            out.append('\t');
        }
        rowStarted = true;
        if (value == null) {
            out.append("\\N");
            return this;
        }
        // Most values need no escape: they go in whole (appending char by char was a fifth of the JVM's time).
        int n = value.length();
        int clean = 0;
        while (clean < n && !special(value.charAt(clean))) {
            clean++;
        }
        out.append(value, 0, clean);
        for (int i = clean; i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return this;
    }

    private static boolean special(char c) {
        return c == '\\' || c == '\t' || c == '\n' || c == '\r';
    }

    public CopyText endRow() {
        out.append('\n');
        rowStarted = false;
        return this;
    }

    public int length() {
        return out.length();
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
