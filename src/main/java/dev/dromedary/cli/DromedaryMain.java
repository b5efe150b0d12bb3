package dev.dromedary.cli;

import dev.dromedary.Dromedary;
import dev.dromedary.config.DromedaryConfigException;
import dev.dromedary.routes.SyncRouteBuilder;
import dev.dromedary.run.RunHistory;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
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

    public static int run(String[] args) throws Exception {
        boolean once = false;
        boolean validate = false;
        List<String> camelArgs = new ArrayList<>();
        for (String a : args) {
            switch (a) {
                case "--once" -> once = true;
                case "--validate" -> validate = true;
                case "--help", "-h" -> {
                    System.out.println("usage: java -jar target/dromedary-runnable.jar [--once | --validate]");
                    return 0;
                }
                default -> camelArgs.add(a);
            }
        }
        Dromedary.Mode mode = validate ? Dromedary.Mode.VALIDATE_ONLY
                : once ? Dromedary.Mode.ON_DEMAND : Dromedary.Mode.SCHEDULED;
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
            return runOnce(main.getCamelContext(), installed[0]);
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
                failed |= !call(template, SyncRouteBuilder.IMPORT + source);
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
