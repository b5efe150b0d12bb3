package dev.dromedary.record;

import java.util.List;

/** The little JSON Dromedary writes itself: arrays of property values, typed as the store keeps them. */
public final class Json {
    private Json() {
    }

    /** A canonical property value (see {@link ValueConverter}) as a JSON value. */
    public static String value(PropertyType type, String canonical) {
        if (canonical == null) {
            return "null";
        }
        return switch (type) {
            case INTEGER, FLOAT, BOOLEAN -> canonical;
            default -> quote(canonical);
        };
    }

    public static String array(PropertyType type, List<String> canonicalValues) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < canonicalValues.size(); i++) {
            b.append(i == 0 ? "" : ",").append(value(type, canonicalValues.get(i)));
        }
        return b.append(']').toString();
    }

    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
