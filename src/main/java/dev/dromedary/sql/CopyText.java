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
        for (int i = 0; i < value.length(); i++) {
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
