package dev.dromedary.routes;

import dev.dromedary.source.ScheduleDefinition;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Quartz endpoints: a source's schedule (every N, a cron expression, or once) and the fixed-interval ones. Runs
 * of one schedule never overlap. Clustered, a job a dead node was running is fired again on another.
 */
public final class QuartzUris {
    /** Trigger groups: sources' schedules, hourly group re-evaluation, Apps' refresh queries. */
    public static final String SOURCES = "dromedary";
    public static final String GROUPS = "dromedary-groups";
    public static final String REFRESH = "dromedary-refresh";

    private final boolean clustered;

    public QuartzUris(boolean clustered) {
        this.clustered = clustered;
    }

    public String of(String sourceId, ScheduleDefinition s) {
        String base = base(SOURCES, sourceId);
        if (s.cron() != null) {
            return base + "&cron=" + URLEncoder.encode(s.cron(), StandardCharsets.UTF_8);
        }
        if (s.once()) {
            return base + "&trigger.repeatCount=0";
        }
        return every(base, s.every().toMillis());
    }

    /** A fixed-interval schedule of Dromedary's own (group re-evaluation, an App's refresh query). */
    public String every(String group, String name, long millis) {
        return every(base(group, name), millis);
    }

    private static String every(String base, long millis) {
        return base + "&trigger.repeatInterval=" + millis + "&trigger.repeatCount=-1";
    }

    private String base(String group, String name) {
        // stateful=true makes the job @DisallowConcurrentExecution: a slow run delays the next, never overlaps it
        // (across the cluster too, where Quartz keeps that state in its tables).
        return "quartz:" + group + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "?stateful=true"
                + (clustered ? "&recoverableJob=true" : "");
    }
}
