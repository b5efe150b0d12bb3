package dev.dromedary.sql;

import java.util.ArrayList;
import java.util.List;

/** SQL that builds one jsonb object from key, value pairs, however many there are. */
public final class JsonbObject {
    private JsonbObject() {
    }

    /**
     * jsonb_build_object takes at most 100 arguments: wide objects are built in chunks and concatenated.
     * @param pairs SQL fragments of the form {@code key, value}
     */
    public static String of(List<String> pairs) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += 50) {
            parts.add("jsonb_build_object(" + String.join(", ", pairs.subList(i, Math.min(pairs.size(), i + 50))) + ")");
        }
        return parts.isEmpty() ? "'{}'::jsonb" : "(" + String.join(" || ", parts) + ")";
    }
}
