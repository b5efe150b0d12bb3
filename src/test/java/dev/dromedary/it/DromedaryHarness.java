package dev.dromedary.it;

import dev.dromedary.Dromedary;
import dev.dromedary.routes.SyncRouteBuilder;
import dev.dromedary.run.RunCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Runs Dromedary inside a plain DefaultCamelContext (the embedding shape) with given properties and one sync
 * file, its routes started on demand so a test decides when each import and export runs.
 */
public final class DromedaryHarness implements AutoCloseable {
    private final CamelContext context;
    private final Dromedary dromedary;
    private final ProducerTemplate template;

    private DromedaryHarness(CamelContext context, Dromedary dromedary) {
        this.context = context;
        this.dromedary = dromedary;
        this.template = context.createProducerTemplate();
    }

    public static DromedaryHarness start(Properties properties, String syncYaml, Path dir) throws Exception {
        return start(properties, syncYaml, dir, java.util.function.UnaryOperator.identity());
    }

    public static DromedaryHarness start(Properties properties, String syncYaml, Path dir,
                                         java.util.function.UnaryOperator<javax.sql.DataSource> wrap) throws Exception {
        return start(properties, syncYaml, dir, wrap, Dromedary.Mode.ON_DEMAND);
    }

    /** With a fixed clock for relative-date group rules, bound as the host would bind it. */
    public static DromedaryHarness startWithClock(Properties properties, String syncYaml, Path dir,
                                                  java.time.Clock clock) throws Exception {
        CLOCK.set(clock);
        try {
            return start(properties, syncYaml, dir);
        } finally {
            CLOCK.remove();
        }
    }

    /** Scheduled, with a fixed clock. */
    public static DromedaryHarness startScheduledWithClock(Properties properties, String syncYaml, Path dir,
                                                           java.time.Clock clock) throws Exception {
        CLOCK.set(clock);
        try {
            return startScheduled(properties, syncYaml, dir);
        } finally {
            CLOCK.remove();
        }
    }

    private static final ThreadLocal<java.time.Clock> CLOCK = new ThreadLocal<>();
    private static final ThreadLocal<java.util.Map<String, Object>> BEANS = new ThreadLocal<>();

    /** With beans bound in the registry first, as a host would (e.g. its MeterRegistry). */
    public static DromedaryHarness startWithBeans(Properties properties, String syncYaml, Path dir,
                                                  java.util.Map<String, Object> beans) throws Exception {
        BEANS.set(beans);
        try {
            return start(properties, syncYaml, dir);
        } finally {
            BEANS.remove();
        }
    }

    /** With several sync files (one model each), read in this order. */
    public static DromedaryHarness start(Properties properties, java.util.List<String> syncYamls, Path dir)
            throws Exception {
        return start(properties, syncYamls, dir, java.util.function.UnaryOperator.identity(), Dromedary.Mode.ON_DEMAND);
    }

    /** Routes start on their Quartz schedules, as in production. */
    public static DromedaryHarness startScheduled(Properties properties, String syncYaml, Path dir) throws Exception {
        return start(properties, syncYaml, dir, java.util.function.UnaryOperator.identity(), Dromedary.Mode.SCHEDULED);
    }

    private static DromedaryHarness start(Properties properties, String syncYaml, Path dir,
                                          java.util.function.UnaryOperator<javax.sql.DataSource> wrap,
                                          Dromedary.Mode mode) throws Exception {
        return start(properties, java.util.List.of(syncYaml), dir, wrap, mode);
    }

    private static DromedaryHarness start(Properties properties, java.util.List<String> syncYamls, Path dir,
                                          java.util.function.UnaryOperator<javax.sql.DataSource> wrap,
                                          Dromedary.Mode mode) throws Exception {
        java.util.List<String> files = new java.util.ArrayList<>();
        for (int i = 0; i < syncYamls.size(); i++) {
            Path file = dir.resolve(i == 0 ? "test.sync.yaml" : "test" + i + ".sync.yaml");
            Files.writeString(file, syncYamls.get(i));
            files.add(file.toString());
        }
        Properties p = new Properties();
        p.putAll(properties);
        p.setProperty("dromedary.sync-files", String.join(",", files));
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(p);
        if (BEANS.get() != null) {
            BEANS.get().forEach((name, bean) -> context.getRegistry().bind(name, bean));
        }
        if (CLOCK.get() != null) {
            context.getRegistry().bind("dromedaryClock", java.time.Clock.class, CLOCK.get());
        }
        try {
            Dromedary d = Dromedary.install(context, dev.dromedary.config.DromedaryConfigLoader.load(context),
                    mode, wrap);
            context.start();
            return new DromedaryHarness(context, d);
        } catch (Exception e) {
            context.close();
            throw e;
        }
    }

    /** Properties for one App, "crm", on the test database's public schema, which also holds the record store. */
    public static Properties oneApp(TestDatabase db) {
        Properties p = app(new Properties(), "crm", db, "public");
        p.setProperty("dromedary.store.app", "crm");
        return p;
    }

    /**
     * Properties for two Apps on the test database: "crm" in schema src, "warehouse" in schema dst, which also
     * holds the record store.
     */
    public static Properties srcAndWarehouse(TestDatabase db) {
        Properties p = app(new Properties(), "crm", db, "src");
        app(p, "warehouse", db, "dst");
        p.setProperty("dromedary.store.app", "warehouse");
        return p;
    }

    /** Properties for an App named {@code name} on the test database, working inside {@code schema}. */
    public static Properties app(Properties p, String name, TestDatabase db, String schema) {
        String k = "dromedary.apps." + name + ".";
        p.setProperty(k + "host", TestDatabase.HOST);
        p.setProperty(k + "port", Integer.toString(TestDatabase.PORT));
        p.setProperty(k + "database", db.name());
        p.setProperty(k + "schema", schema);
        p.setProperty(k + "user", TestDatabase.USER);
        p.setProperty(k + "password", "S3cret-Hunter2!");
        return p;
    }

    public RunCounts importOnce(String source) {
        return template.requestBody(SyncRouteBuilder.IMPORT + source, null, RunCounts.class);
    }

    public RunCounts enrichOnce(String source) {
        return template.requestBody(SyncRouteBuilder.ENRICH + source, null, RunCounts.class);
    }

    /** A whole run of a source as its schedule runs it: import, properties of new records, exports. */
    public void runOnce(String source) {
        template.requestBody(SyncRouteBuilder.RUN_SOURCE + source, (Object) null);
    }

    /** Evaluates a model's groups for the records changed since the last evaluation. */
    public long groupsOnce(String model) {
        return template.requestBody(SyncRouteBuilder.GROUPS + model, null, Long.class);
    }

    /** Checks an App's refresh query once, as its schedule does. */
    public void refreshOnce(String app) {
        template.requestBody(SyncRouteBuilder.REFRESH + app, (Object) null);
    }

    public RunCounts exportOnce(String destination) {
        return template.requestBody(SyncRouteBuilder.EXPORT + destination, null, RunCounts.class);
    }

    public CamelContext context() {
        return context;
    }

    public Dromedary dromedary() {
        return dromedary;
    }

    @Override
    public void close() throws Exception {
        template.close();
        context.close();
    }
}
