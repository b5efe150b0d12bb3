package dev.dromedary.cli;

import dev.dromedary.Dromedary;
import dev.dromedary.DromedaryConstants;
import dev.dromedary.config.DromedaryConfigException;
import dev.dromedary.routes.SyncRouteBuilder;
import dev.dromedary.run.RunHistory;
import dev.dromedary.run.StatusReport;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * The command line. Without options Dromedary runs continuously on its Quartz schedules; {@code --once} runs every
 * schedule once, then the exports, prints a summary and exits; {@code --validate} checks configuration and
 * connections and exits. Exit codes: 0 success, 1 a run failed, 2 bad configuration.
 */
public final class DromedaryMain {
    private DromedaryMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    private static final String USAGE = """
            usage: java -jar target/dromedary-runnable.jar [option]
              (none)                      run continuously on the schedules
              --once                      run every schedule once, then the exports; print a summary
              --validate                  check configuration and connections, then exit
              --status [--json]           per schedule the last run, cursor and lag; per destination pending and failed
              --resync <destination>      re-send every record to a destination (e.g. after its table was emptied)
              --reset-cursor <schedule>   make a schedule start again from the beginning at its next run""";

    public static int run(String[] args) throws Exception {
        boolean once = false;
        boolean validate = false;
        boolean status = false;
        boolean json = false;
        String resync = null;
        String resetCursor = null;
        List<String> camelArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--once" -> once = true;
                case "--validate" -> validate = true;
                case "--status" -> status = true;
                case "--json" -> json = true;
                case "--resync", "--reset-cursor" -> {
                    if (i + 1 >= args.length) {
                        System.err.println(a + " needs a name\n" + USAGE);
                        return 2;
                    }
                    if (a.equals("--resync")) {
                        resync = args[++i];
                    } else {
                        resetCursor = args[++i];
                    }
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                default -> camelArgs.add(a);
            }
        }
        boolean command = status || resync != null || resetCursor != null;
        Dromedary.Mode mode = validate ? Dromedary.Mode.VALIDATE_ONLY
                : once || command ? Dromedary.Mode.ON_DEMAND : Dromedary.Mode.SCHEDULED;
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation("file:application.properties;optional=true");
        if (validate) {
            // Check only: neither Dromedary's routes nor the integrator's own may run.
            main.configure().setAutoStartup(false);
        }
        Dromedary[] installed = new Dromedary[1];
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                try {
                    installed[0] = Dromedary.install(m.getCamelContext(), mode);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
        });
        if (mode == Dromedary.Mode.SCHEDULED) {
            try {
                main.run(camelArgs.toArray(String[]::new));
                return main.getExitCode();
            } catch (Exception e) {
                return reportStartupFailure(e);
            }
        }
        try {
            main.start();
        } catch (Exception e) {
            return reportStartupFailure(e);
        }
        try {
            if (validate) {
                System.out.println("Configuration and connections are valid.");
                return 0;
            }
            Dromedary d = installed[0];
            if (status) {
                var report = new StatusReport(d.store()).read(d.sourceIds(), d.destinationsByModel());
                System.out.println(json ? StatusReport.json(report) : StatusReport.text(report));
                return 0;
            }
            if (resetCursor != null) {
                if (!d.sourceIds().contains(resetCursor)) {
                    System.err.println("unknown schedule '" + resetCursor + "'; schedules: " + d.sourceIds());
                    return 2;
                }
                d.maintenance().resetCursor(resetCursor);
                System.out.println("Schedule '" + resetCursor + "' starts from the beginning at its next run.");
                return 0;
            }
            if (resync != null) {
                if (!d.destinationIds().contains(resync)) {
                    System.err.println("unknown destination '" + resync + "'; destinations: " + d.destinationIds());
                    return 2;
                }
                d.maintenance().forgetExports(resync);
                RunHistory runs = d.runs();
                long first = runs.nextRunId();
                boolean ok;
                try (ProducerTemplate template = main.getCamelContext().createProducerTemplate()) {
                    ok = call(template, SyncRouteBuilder.EXPORT + resync);
                }
                System.out.println(RunSummary.format(runs.since(first)));
                return ok ? 0 : 1;
            }
            return runOnce(main.getCamelContext(), d);
        } finally {
            main.stop();
        }
    }

    private static int runOnce(CamelContext context, Dromedary dromedary) throws Exception {
        RunHistory runs = dromedary.runs();
        long firstRun = runs.nextRunId();
        boolean failed = false;
        try (ProducerTemplate template = context.createProducerTemplate()) {
            // The order of a run: import → properties of new records → groups → exports.
            for (String source : dromedary.sourceIds()) {
                // As in a scheduled run, exports may follow the import's pages when its records are complete.
                Exchange done = template.send(SyncRouteBuilder.IMPORT + source,
                        e -> e.setProperty(DromedaryConstants.EXPORTS_FOLLOW, true));
                failed |= done.getException() != null;
            }
            for (String source : dromedary.secondarySourceIds()) {
                failed |= !call(template, SyncRouteBuilder.ENRICH + source);
            }
            for (String model : dromedary.modelsWithGroups()) {
                failed |= !call(template, SyncRouteBuilder.GROUPS + model);
            }
            for (String destination : dromedary.destinationIds()) {
                failed |= !call(template, SyncRouteBuilder.EXPORT + destination);
            }
            for (String model : dromedary.models()) {
                failed |= !call(template, SyncRouteBuilder.PURGE + model);
            }
        }
        System.out.println(RunSummary.format(runs.since(firstRun)));
        return failed ? 1 : 0;
    }

    private static boolean call(ProducerTemplate template, String uri) {
        try {
            template.requestBody(uri, (Object) null);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static int reportStartupFailure(Throwable e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof DromedaryConfigException c) {
                System.err.println(c.getMessage());
                return 2;
            }
            t = t.getCause();
        }
        System.err.println("Dromedary could not start: " + e.getMessage());
        return 2;
    }
}
