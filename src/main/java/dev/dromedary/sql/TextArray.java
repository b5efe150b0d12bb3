package dev.dromedary.sql;

import java.util.Collection;

/** PostgreSQL's text form of a text[] value, for one array among many bound as a text[] of such literals. */
public final class TextArray {
    private TextArray() {
    }

    public static String literal(Collection<String> items) {
        StringBuilder b = new StringBuilder("{");
        for (String item : items) {
            b.append(b.length() > 1 ? "," : "").append('"');
            for (int i = 0; i < item.length(); i++) {
                char c = item.charAt(i);
                if (c == '"' || c == '\\') {
                    b.append('\\');
                }
                b.append(c);
            }
            b.append('"');
        }
        return b.append('}').toString();
    }
}
