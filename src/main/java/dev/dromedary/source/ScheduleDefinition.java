package dev.dromedary.source;

import java.time.Duration;
import java.util.List;

/**
 * When and how a source is read. Incremental schedules page on (column, key) past a stored cursor; full ones
 * read everything each run. Exactly one of every / cron / once decides when.
 */
public record ScheduleDefinition(
        boolean incremental,
        String column,
        boolean allowNullCursor,
        Duration lookback,
        Duration every,
        String cron,
        boolean once,
        int pageSize,
        List<Filter> filters,
        boolean confirmRecords,
        boolean refresh,
        String query,
        String queryProperty) {

    public static final int DEFAULT_PAGE_SIZE = 5000;
}
