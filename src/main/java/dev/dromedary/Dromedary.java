package dev.dromedary;

import dev.dromedary.app.AppChecker;
import dev.dromedary.app.AppConfig;
import dev.dromedary.app.AppDataSources;
import dev.dromedary.app.AppRefresh;
import dev.dromedary.config.ConfigProblems;
import dev.dromedary.config.ConfigValidator;
import dev.dromedary.config.DromedaryConfig;
import dev.dromedary.config.DromedaryConfigLoader;
import dev.dromedary.config.SchemaChecker;
import dev.dromedary.config.SyncDefinition;
import dev.dromedary.destination.DestinationDefinition;
import dev.dromedary.destination.DestinationWriter;
import dev.dromedary.destination.ExportPlanner;
import dev.dromedary.destination.RecordExport;
import dev.dromedary.group.GroupEvaluator;
import dev.dromedary.record.RecordDeleter;
import dev.dromedary.record.RecordStore;
import dev.dromedary.record.RecordWriter;
import dev.dromedary.routes.ClusteredScheduler;
import dev.dromedary.routes.SyncRouteBuilder;
import dev.dromedary.run.RunHistory;
import dev.dromedary.run.RunLocks;
import dev.dromedary.source.CursorStore;
import dev.dromedary.source.EnrichQueue;
import dev.dromedary.source.QueryImport;
import dev.dromedary.source.QueryKeys;
import dev.dromedary.source.QueryProperty;
import dev.dromedary.source.SourceKind;
import dev.dromedary.source.RecordConfirmer;
import dev.dromedary.source.PropertyDefinition;
import dev.dromedary.source.TableShape;
import dev.dromedary.source.ScheduleDefinition;
import dev.dromedary.source.SourceDefinition;
import dev.dromedary.source.SourceImport;
import dev.dromedary.source.FirstImport;
import dev.dromedary.source.TableImport;
import dev.dromedary.sql.TableColumns;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs Dromedary into a CamelContext: Camel Main's or any host's. It checks the configuration and every App,
 * binds one pooled DataSource per App in the registry under the App's name, migrates the record store and adds
 * the sync routes.
 */
public final class Dromedary {
    private static final Logger LOG = LoggerFactory.getLogger(Dromedary.class);

    private final DromedaryConfig config;
    private final RecordStore store;
    private final RunHistory runs;
    private final List<String> sourceIds;
    private final List<String> secondarySourceIds;
    private final List<String> destinationIds;
    private final List<String> models;
    private final List<String> modelsWithGroups;

    private Dromedary(DromedaryConfig config, RecordStore store, List<String> sourceIds,
                      List<String> secondarySourceIds, List<String> destinationIds, List<String> models,
                      List<String> modelsWithGroups) {
        this.config = config;
        this.store = store;
        this.runs = store == null ? null : new RunHistory(store, config.cluster().nodeId());
        this.sourceIds = sourceIds;
        this.secondarySourceIds = secondarySourceIds;
        this.destinationIds = destinationIds;
        this.models = models;
        this.modelsWithGroups = modelsWithGroups;
    }

    /** How the routes start: on their schedules, or only when called (--once, tests). */
    public enum Mode { SCHEDULED, ON_DEMAND, VALIDATE_ONLY }

    /** Reads the configuration from the context's properties (application.properties and the sync files). */
    public static Dromedary install(CamelContext context, Mode mode) throws Exception {
        return install(context, DromedaryConfigLoader.load(context), mode);
    }

    public static Dromedary install(CamelContext context, DromedaryConfig config, Mode mode) throws Exception {
        return install(context, config, mode, UnaryOperator.identity());
    }

    /**
     * For hosts with a CamelContext of their own: installs from Dromedary's own properties file (its dromedary.*
     * keys; sync-file patterns relative to the file), leaving the host's properties and routes alone.
     */
    public static Dromedary install(CamelContext context, java.nio.file.Path propertiesFile, Mode mode) throws Exception {
        return install(context, DromedaryConfigLoader.load(context, propertiesFile), mode);
    }

    /**
     * As {@link #install(CamelContext, DromedaryConfig, Mode)}, wrapping each App's pool before use (for a
     * host's metrics or tracing, or a test's statement counter).
     */
    public static Dromedary install(CamelContext context, DromedaryConfig config, Mode mode,
                                    UnaryOperator<DataSource> wrap) throws Exception {
        ConfigProblems problems = new ConfigProblems();
        new ConfigValidator(problems).validate(config);
        problems.throwIfAny();
        for (AppConfig app : config.apps().values()) {
            String problem = AppChecker.problem(app);
            if (problem != null) {
                problems.add(problem);
            }
        }
        problems.throwIfAny();

        AppDataSources pools = new AppDataSources();
        context.addService(pools, true);
        Map<String, DataSource> dataSources = new LinkedHashMap<>();
        for (AppConfig app : config.apps().values()) {
            DataSource ds = wrap.apply(pools.create(app));
            dataSources.put(app.name(), ds);
            context.getRegistry().bind(app.name(), DataSource.class, ds);
        }

        for (AppConfig app : config.apps().values()) {
            if (app.refreshQuery() != null) {
                String problem = AppRefresh.problem(app, dataSources.get(app.name()));
                if (problem != null) {
                    problems.add(problem);
                }
            }
        }
        SchemaChecker schema = new SchemaChecker(problems);
        Map<String, TableShape> sourceShapes = new LinkedHashMap<>();
        Map<String, PreparedQueries> queries = new LinkedHashMap<>();
        Map<String, TableColumns> destinationTables = new LinkedHashMap<>();
        Map<String, String> groupKeyTypes = new LinkedHashMap<>();
        for (SyncDefinition sync : config.syncs()) {
            for (SourceDefinition s : sync.sources()) {
                AppConfig app = config.apps().get(s.app());
                DataSource ds = dataSources.get(s.app());
                if (s.kind() == SourceKind.QUERY) {
                    queries.put(s.id(), prepareQueries(sync.file(), s, ds, problems));
                    continue;
                }
                TableColumns t = schema.table(sync.file(), "source '" + s.id() + "'", app, ds, s.table());
                try (Connection c = ds.getConnection()) {
                    sourceShapes.put(s.id(), schema.checkSource(sync.file(), s, t,
                            sync.isPrimary(s), c));
                }
            }
            for (DestinationDefinition d : sync.destinations()) {
                AppConfig app = config.apps().get(d.app());
                DataSource ds = dataSources.get(d.app());
                TableColumns t = schema.table(sync.file(), "destination '" + d.id() + "'", app, ds, d.table());
                try (Connection c = ds.getConnection()) {
                    schema.checkDestination(sync.file(), d, t, c);
                }
                destinationTables.put(d.id(), t);
                groupKeyTypes.put(d.id(), schema.checkGroupsTable(sync.file(), d, app, ds));
            }
        }
        problems.throwIfAny();

        List<String> sourceIds = new ArrayList<>();
        List<String> secondaryIds = new ArrayList<>();
        List<String> destinationIds = new ArrayList<>();
        if (mode == Mode.VALIDATE_ONLY) {
            return new Dromedary(config, null, sourceIds, List.of(), destinationIds, List.of(), List.of());
        }
        RecordStore store = new RecordStore(dataSources.get(config.store().app()), config.store().schema());
        store.migrate();
        RunHistory runs = new RunHistory(store, config.cluster().nodeId());
        int gates = config.syncs().stream().mapToInt(sy -> sy.sources().size() + sy.destinations().size()).sum();
        RunLocks locks = new RunLocks(store, wrap.apply(pools.create(config.apps().get(config.store().app()), "locks",
                Math.max(1, gates))));
        CursorStore cursors = new CursorStore(store);

        List<SourceImport> imports = new ArrayList<>();
        dev.dromedary.run.RunMetrics metrics = new dev.dromedary.run.RunMetrics(context);
        // Threads that read a table source's next page, or plan an export's next batch, while the current one is
        // written; stopped with the context.
        java.util.concurrent.ExecutorService readAhead = context.getExecutorServiceManager()
                .newCachedThreadPool(pools, "dromedary-read-ahead");
        List<RecordExport> exports = new ArrayList<>();
        Map<String, ScheduleDefinition> schedules = new LinkedHashMap<>();
        Map<String, List<String>> exportsBySource = new LinkedHashMap<>();
        Map<String, List<String>> enrichBySource = new LinkedHashMap<>();
        Map<String, String> modelBySource = new LinkedHashMap<>();
        Map<String, RecordDeleter> deleters = new LinkedHashMap<>();
        Map<String, List<String>> destinationsByModel = new LinkedHashMap<>();
        Map<String, GroupEvaluator> groupEvaluators = new LinkedHashMap<>();
        // Hosts and tests may bind their own clock (relative-date group rules read it).
        Clock clock = Optional.ofNullable(context.getRegistry().lookupByNameAndType("dromedaryClock", Clock.class))
                .orElse(Clock.systemUTC());
        for (SyncDefinition sync : config.syncs()) {
            String model = sync.model().name();
            String pkProperty = sync.model().primaryKey();
            List<String> modelDestinations = sync.destinations().stream().map(DestinationDefinition::id).toList();
            RecordDeleter deleter = new RecordDeleter(store, model);
            if (!sync.groups().isEmpty()) {
                groupEvaluators.put(model, new GroupEvaluator(store, model, sync.groups(), sync.propertyShapes(), clock));
            }
            deleters.put(model, deleter);
            destinationsByModel.put(model, modelDestinations);
            List<String> secondaries = sync.sources().stream().filter(s -> !sync.isPrimary(s))
                    .map(SourceDefinition::id).toList();
            Map<SourceDefinition, TableImport> tableImports = new LinkedHashMap<>();
            for (SourceDefinition s : sync.sources()) {
                boolean primary = sync.isPrimary(s);
                String matched = primary || s.kind() == SourceKind.QUERY || s.mapping().property().equals(pkProperty)
                        ? null : s.mapping().property();
                if (matched != null) {
                    store.indexProperty(matched);
                }
                s.properties().stream().filter(PropertyDefinition::unique).forEach(p -> store.indexProperty(p.name()));
                String hash = cursorHash(s);
                RecordWriter writer = new RecordWriter(store, cursors, model, pkProperty, s, primary, hash, secondaries);
                if (groupEvaluators.containsKey(model)) {
                    writer.computeGroups(groupEvaluators.get(model));
                }
                EnrichQueue queue = new EnrichQueue(store, model, s.id(), matched);
                if (s.kind() == SourceKind.QUERY) {
                    if (!primary && !s.schedule().queryProperty().equals(pkProperty)) {
                        store.indexProperty(s.schedule().queryProperty());
                    }
                    PreparedQueries q = queries.get(s.id());
                    imports.add(new QueryImport(s, primary, dataSources.get(s.app()), store, model, pkProperty, q.keys(),
                            q.properties(), writer, queue, runs, locks));
                } else {
                    TableImport source = new TableImport(s, sourceShapes.get(s.id()), dataSources.get(s.app()), writer,
                            cursors, queue, runs, locks, hash);
                    source.metrics(metrics);
                    source.readAheadOn(readAhead);
                    tableImports.put(s, source);
                    if (primary && (s.schedule().confirmRecords() || !s.schedule().incremental())) {
                        source.confirmWith(new RecordConfirmer(s, sourceShapes.get(s.id()), dataSources.get(s.app()),
                                queue, deleter));
                    }
                    imports.add(source);
                }
                modelBySource.put(s.id(), model);
                schedules.put(s.id(), s.schedule());
                exportsBySource.put(s.id(), modelDestinations);
                enrichBySource.put(s.id(), primary ? secondaries : List.of());
                sourceIds.add(s.id());
                if (!primary) {
                    secondaryIds.add(s.id());
                }
            }
            firstImport(sync, tableImports, store, cursors, groupEvaluators.get(model));
            for (DestinationDefinition d : sync.destinations()) {
                AppConfig app = config.apps().get(d.app());
                ExportPlanner planner = new ExportPlanner(store, d, model);
                String pkType = destinationTables.get(d.id()).column(d.primaryKey()).orElseThrow().sqlType();
                DestinationWriter writer = new DestinationWriter(d, app.schema(), dataSources.get(d.app()),
                        planner.columns(), pkType, groupKeyTypes.get(d.id()));
                RecordExport export = new RecordExport(d, planner, writer, runs, locks);
                export.planAheadOn(readAhead);
                export.metrics(metrics);
                exports.add(export);
                destinationIds.add(d.id());
            }
        }
        Map<AppRefresh, List<String>> refreshes = new LinkedHashMap<>();
        for (AppConfig app : config.apps().values()) {
            List<String> refreshed = config.syncs().stream().flatMap(sy -> sy.sources().stream())
                    .filter(s -> s.app().equals(app.name()) && s.schedule().refresh()).map(SourceDefinition::id).toList();
            if (app.refreshQuery() != null && !refreshed.isEmpty()) {
                refreshes.put(new AppRefresh(app, dataSources.get(app.name()), store), refreshed);
            }
        }
        registerHealthChecks(context, config, store);
        // --once and the CLI commands run on this node only; the cluster is for scheduled service.
        boolean clustered = config.cluster().enabled() && mode == Mode.SCHEDULED;
        if (clustered) {
            ClusteredScheduler.configure(context, config.cluster(), config.apps().get(config.store().app()),
                    config.store().schema());
            LOG.info("Clustered scheduling: node '{}' joins the Quartz cluster in schema '{}'",
                    config.cluster().nodeId(), config.store().schema());
        }
        context.addRoutes(new SyncRouteBuilder(new SyncRouteBuilder.Plan(imports, schedules, enrichBySource,
                exportsBySource, modelBySource, deleters, destinationsByModel, exports, refreshes, groupEvaluators,
                mode == Mode.SCHEDULED, clustered)));
        LOG.info("Dromedary installed: {} App(s), {} source(s), {} destination(s); record store in schema '{}' of App '{}'",
                config.apps().size(), sourceIds.size(), destinationIds.size(), config.store().schema(), config.store().app());
        Dromedary installed = new Dromedary(config, store, sourceIds, secondaryIds, destinationIds,
                List.copyOf(destinationsByModel.keySet()), List.copyOf(groupEvaluators.keySet()));
        installed.destinationsByModel = destinationsByModel;
        store.saveDestinationModels(destinationsByModel);
        installed.maintenance = new dev.dromedary.run.Maintenance(store, locks);
        return installed;
    }

    /** Readiness per App and per schedule, served by Camel's health endpoint when it is enabled. */
    private static void registerHealthChecks(CamelContext context, DromedaryConfig config, RecordStore store) {
        org.apache.camel.health.HealthCheckRegistry registry = org.apache.camel.health.HealthCheckRegistry.get(context);
        if (registry == null) {
            return;
        }
        for (AppConfig app : config.apps().values()) {
            registry.register(new dev.dromedary.app.AppHealthCheck(app));
        }
        for (SyncDefinition sync : config.syncs()) {
            for (SourceDefinition s : sync.sources()) {
                registry.register(new dev.dromedary.run.ScheduleHealthCheck(store, s.id(), config.maxCursorLag()));
            }
        }
    }

    /** A query source's statements, prepared against its database at start-up. */
    private record PreparedQueries(QueryKeys keys, List<QueryProperty> properties) {
    }

    private static PreparedQueries prepareQueries(String file, SourceDefinition s, DataSource ds, ConfigProblems problems)
            throws java.sql.SQLException {
        String el = "source '" + s.id() + "'";
        try (Connection c = ds.getConnection()) {
            List<String> why = new ArrayList<>();
            QueryKeys keys = QueryKeys.prepare(s.schedule().query(), c, why);
            why.forEach(w -> problems.add(file, el + ".schedule.query", w));
            List<QueryProperty> properties = new ArrayList<>();
            for (PropertyDefinition p : s.properties()) {
                why.clear();
                QueryProperty q = QueryProperty.prepare(p, c, why);
                why.forEach(w -> problems.add(file, el + ".properties." + p.name() + ".query", w));
                properties.add(q);
            }
            return new PreparedQueries(keys, properties);
        }
    }

    /**
     * Lets the model's primary table source do, in its first import, the first runs of the incremental table
     * secondaries in its App that map the primary key: each record is then written once with all their properties.
     */
    private static void firstImport(SyncDefinition sync, Map<SourceDefinition, TableImport> tableImports,
                                    RecordStore store, CursorStore cursors, GroupEvaluator groups) {
        String pkProperty = sync.model().primaryKey();
        SourceDefinition primary = tableImports.keySet().stream().filter(sync::isPrimary).findFirst().orElse(null);
        if (primary == null || !primary.schedule().incremental()) {
            return;
        }
        List<SourceDefinition> inline = tableImports.keySet().stream()
                .filter(s -> !sync.isPrimary(s) && s.schedule().incremental() && s.app().equals(primary.app())
                        && s.mapping().property().equals(pkProperty))
                .toList();
        if (inline.isEmpty()) {
            return;
        }
        List<PropertyDefinition> all = new ArrayList<>(primary.properties());
        inline.forEach(s -> all.addAll(s.properties()));
        SourceDefinition widened = new SourceDefinition(primary.id(), primary.kind(), primary.app(), primary.table(),
                primary.mapping(), primary.primary(), List.copyOf(all), primary.schedule());
        List<String> queued = sync.sources().stream().filter(s -> !sync.isPrimary(s) && !inline.contains(s))
                .map(SourceDefinition::id).toList();
        RecordWriter writer = new RecordWriter(store, cursors, sync.model().name(), pkProperty, widened, true,
                cursorHash(primary), queued);
        if (groups != null) {
            writer.computeGroups(groups);
        }
        tableImports.get(primary).doFirstRunsOf(new FirstImport(primary.id(),
                inline.stream().map(tableImports::get).toList(), writer, store, sync.model().name()));
    }

    /**
     * A cursor is kept only while what its source reads stays the same: table, mapping, cursor column, schedule
     * filters and properties. Any change starts the source from the beginning, so new properties reach old rows.
     */
    static String cursorHash(SourceDefinition s) {
        String basis = s.table() + "|" + s.mapping() + "|" + s.schedule().column() + "|" + s.schedule().filters()
                + "|" + s.properties() + "|" + s.schedule().query();
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(basis.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public DromedaryConfig config() {
        return config;
    }

    public RecordStore store() {
        return store;
    }

    public RunHistory runs() {
        return runs;
    }

    public List<String> sourceIds() {
        return sourceIds;
    }

    /** Sources whose properties new records wait for (the "properties" step of a run). */
    public List<String> secondarySourceIds() {
        return secondarySourceIds;
    }

    public List<String> destinationIds() {
        return destinationIds;
    }

    public List<String> models() {
        return models;
    }

    private Map<String, List<String>> destinationsByModel = Map.of();
    private dev.dromedary.run.Maintenance maintenance;

    /** Operator actions (--resync, --reset-cursor), each waiting for a run of its target to end first. */
    public dev.dromedary.run.Maintenance maintenance() {
        return maintenance;
    }

    /** Each model's destinations. */
    public Map<String, List<String>> destinationsByModel() {
        return destinationsByModel;
    }

    /** Models with calculated groups (each has a groups-<model> route). */
    public List<String> modelsWithGroups() {
        return modelsWithGroups;
    }
}
