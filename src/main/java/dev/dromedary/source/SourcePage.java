package dev.dromedary.source;

import java.util.List;

/**
 * One page of source rows turned into record values: the batch an import Exchange carries. {@code lastValue} /
 * {@code lastKey} is where the cursor stands once this page is committed.
 */
public record SourcePage(List<Row> rows, int rowsRead, int rowsRejected, String lastValue, String lastKey,
                         boolean more) {

    /** A record's key, its converted property values, and per property the reason a value was refused. */
    public record Row(String key, String[] values, String[] invalid) {
    }
}
