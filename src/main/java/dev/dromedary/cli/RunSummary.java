package dev.dromedary.cli;

import dev.dromedary.run.RunHistory;
import java.util.List;

/** Formats runs as the table --once prints. */
public final class RunSummary {
    private RunSummary() {
    }

    public static String format(List<RunHistory.Run> runs) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-7s %-28s %-9s %9s %10s %9s %9s %9s %9s %9s %9s %9s %9s%n", "kind", "name",
                "status", "seconds", "rows read", "created", "updated", "deleted", "inserted", "changed", "unchanged",
                "refused", "failed"));
        for (RunHistory.Run r : runs) {
            boolean imp = r.kind().equals("import");
            b.append(String.format("%-7s %-28s %-9s %9.3f %10s %9s %9s %9s %9s %9s %9s %9s %9s%n", r.kind(),
                    r.name(), r.status(), r.seconds(), imp ? r.rowsRead() : "", imp ? r.created() : "",
                    imp ? r.updated() : "", r.deleted(), imp ? "" : r.inserted(), imp ? "" : r.updatedRows(),
                    imp ? "" : r.skipped(), imp ? "" : r.refused(), imp ? r.rejected() : r.failed()));
            if (r.error() != null) {
                b.append("        error: ").append(r.error()).append(System.lineSeparator());
            }
        }
        return b.toString();
    }
}
