package dev.dromedary.routes;

import dev.dromedary.source.ScheduleDefinition;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The Quartz endpoint of a schedule: every N, a cron expression, or once. Runs of one schedule never overlap. */
public final class QuartzUris {
    private QuartzUris() {
    }

    public static String of(String sourceId, ScheduleDefinition s) {
        // stateful=true makes the job @DisallowConcurrentExecution: a slow run delays the next, never overlaps it.
        String base = "quartz:dromedary/" + URLEncoder.encode(sourceId, StandardCharsets.UTF_8) + "?stateful=true";
        if (s.cron() != null) {
            return base + "&cron=" + URLEncoder.encode(s.cron(), StandardCharsets.UTF_8);
        }
        if (s.once()) {
            return base + "&trigger.repeatCount=0";
        }
        return base + "&trigger.repeatInterval=" + s.every().toMillis() + "&trigger.repeatCount=-1";
    }
}
