package dev.dromedary.source;

import dev.dromedary.record.Json;
import dev.dromedary.record.ValueConverter;
import java.util.ArrayList;
import java.util.List;

/** Turns a key's raw values into typed property values; an invalid value becomes null with its reason. */
final class RowConverter {
    private RowConverter() {
    }

    static SourcePage.Row convert(List<PropertyDefinition> properties, String key, Object[] raw) {
        int n = properties.size();
        String[] values = new String[n];
        String[] invalid = null;
        for (int i = 0; i < n; i++) {
            PropertyDefinition p = properties.get(i);
            String reason;
            if (p.array()) {
                String[] items = raw == null || raw[i] == null ? new String[0] : (String[]) raw[i];
                List<String> converted = new ArrayList<>(items.length);
                reason = null;
                for (String item : items) {
                    ValueConverter.Converted c = ValueConverter.convert(p.type(), item);
                    converted.add(c.value());
                    if (reason == null && c.invalidReason() != null) {
                        reason = c.invalidReason();
                    }
                }
                values[i] = Json.array(p.type(), converted);
            } else {
                ValueConverter.Converted c = ValueConverter.convert(p.type(), raw == null ? null : (String) raw[i]);
                values[i] = c.value();
                reason = c.invalidReason();
            }
            if (reason != null) {
                if (invalid == null) {
                    invalid = new String[n];
                }
                invalid[i] = reason;
            }
        }
        return new SourcePage.Row(key, values, invalid);
    }
}
