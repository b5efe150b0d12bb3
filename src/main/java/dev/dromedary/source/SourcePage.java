package dev.dromedary.source;

import java.util.List;

/**
 * One page of a source turned into record values: the batch an import Exchange carries. {@code last} is where
 * the cursor stands once this page is committed.
 */
public record SourcePage(List<Row> rows, int rowsRead, int rowsRejected, Cursor last, boolean more) {

    /** A record's key, its converted property values, and per property the reason a value was refused. */
    public record Row(String key, String[] values, String[] invalid) {
    }
}
