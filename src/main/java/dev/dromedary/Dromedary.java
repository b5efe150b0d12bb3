package dev.dromedary;

import dev.dromedary.app.AppChecker;
import dev.dromedary.app.AppConfig;
import dev.dromedary.app.AppDataSources;
import dev.dromedary.config.ConfigProblems;
import dev.dromedary.config.DromedaryConfig;
import dev.dromedary.config.DromedaryConfigLoader;
import dev.dromedary.config.SchemaChecker;
import dev.dromedary.config.SyncDefinition;
import dev.dromedary.destination.DestinationDefinition;
import dev.dromedary.destination.DestinationWriter;
import dev.dromedary.destination.ExportPlanner;
import dev.dromedary.destination.RecordExport;
import dev.dromedary.record.RecordStore;
import dev.dromedary.record.RecordWriter;
import dev.dromedary.routes.SyncRouteBuilder;
import dev.dromedary.run.RunHistory;
import dev.dromedary.source.CursorStore;
import dev.dromedary.source.ScheduleDefinition;
import dev.dromedary.source.SourceDefinition;
import dev.dromedary.source.TableImport;
import dev.dromedary.source.TablePageReader;
import dev.dromedary.sql.TableColumns;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final List<String> destinationIds;

    private Dromedary(DromedaryConfig config, RecordStore store, List<String> sourceIds, List<String> destinationIds) {
        this.config = config;
        this.store = store;
        this.runs = store == null ? null : new RunHistory(store);
        this.sourceIds = sourceIds;
        this.destinationIds = destinationIds;
    }

    /** How the routes start: on their schedules, or only when called (--once, tests). */
    public enum Mode { SCHEDULED, ON_DEMAND, VALIDATE_ONLY }

    /** Reads the configuration from the context's properties (application.properties and the sync files). */
    public static Dromedary install(CamelContext context, Mode mode) throws Exception {
        return install(context, DromedaryConfigLoader.load(context), mode);
    }

    public static Dromedary install(CamelContext context, DromedaryConfig config, Mode mode) throws Exception {
        ConfigProblems problems = new ConfigProblems();
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
            DataSource ds = pools.create(app);
            dataSources.put(app.name(), ds);
            context.getRegistry().bind(app.name(), DataSource.class, ds);
        }

        SchemaChecker schema = new SchemaChecker(problems);
        Map<String, TableColumns> sourceTables = new LinkedHashMap<>();
        Map<String, TableColumns> destinationTables = new LinkedHashMap<>();
        for (SyncDefinition sync : config.syncs()) {
            for (SourceDefinition s : sync.sources()) {
                AppConfig app = config.apps().get(s.app());
                TableColumns t = schema.table(sync.file(), "source '" + s.id() + "'", app, dataSources.get(s.app()), s.table());
                schema.checkSource(sync.file(), s, t);
                sourceTables.put(s.id(), t);
            }
            for (DestinationDefinition d : sync.destinations()) {
                AppConfig app = config.apps().get(d.app());
                DataSource ds = dataSources.get(d.app());
                TableColumns t = schema.table(sync.file(), "destination '" + d.id() + "'", app, ds, d.table());
                try (Connection c = ds.getConnection()) {
                    schema.checkDestination(sync.file(), d, t, c);
                }
                destinationTables.put(d.id(), t);
            }
        }
        problems.throwIfAny();

        List<String> sourceIds = new ArrayList<>();
        List<String> destinationIds = new ArrayList<>();
        if (mode == Mode.VALIDATE_ONLY) {
            return new Dromedary(config, null, sourceIds, destinationIds);
        }
        RecordStore store = new RecordStore(dataSources.get(config.store().app()), config.store().schema());
        store.migrate();
        RunHistory runs = new RunHistory(store);
        CursorStore cursors = new CursorStore(store);

        List<TableImport> imports = new ArrayList<>();
        List<RecordExport> exports = new ArrayList<>();
        Map<String, ScheduleDefinition> schedules = new LinkedHashMap<>();
        Map<String, List<String>> exportsBySource = new LinkedHashMap<>();
        for (SyncDefinition sync : config.syncs()) {
            List<String> modelDestinations = sync.destinations().stream().map(DestinationDefinition::id).toList();
            for (SourceDefinition s : sync.sources()) {
                AppConfig app = config.apps().get(s.app());
                TableColumns t = sourceTables.get(s.id());
                String keyType = t.column(s.mapping().column()).orElseThrow().sqlType();
                String cursorType = s.schedule().incremental()
                        ? t.column(s.schedule().column()).orElseThrow().sqlType() : null;
                String hash = cursorHash(s);
                TablePageReader reader = new TablePageReader(s, app.schema(), dataSources.get(s.app()), keyType, cursorType);
                RecordWriter writer = new RecordWriter(store, cursors, sync.model().name(), s, hash);
                imports.add(new TableImport(s, reader, writer, cursors, runs, hash));
                schedules.put(s.id(), s.schedule());
                exportsBySource.put(s.id(), modelDestinations);
                sourceIds.add(s.id());
            }
            for (DestinationDefinition d : sync.destinations()) {
                AppConfig app = config.apps().get(d.app());
                ExportPlanner planner = new ExportPlanner(store, d, sync.model().name());
                DestinationWriter writer = new DestinationWriter(d, app.schema(), dataSources.get(d.app()), planner.columns());
                exports.add(new RecordExport(d, planner, writer, runs));
                destinationIds.add(d.id());
            }
        }
        context.addRoutes(new SyncRouteBuilder(imports, schedules, exportsBySource, exports, mode == Mode.SCHEDULED));
        LOG.info("Dromedary installed: {} App(s), {} source(s), {} destination(s); record store in schema '{}' of App '{}'",
                config.apps().size(), sourceIds.size(), destinationIds.size(), config.store().schema(), config.store().app());
        return new Dromedary(config, store, sourceIds, destinationIds);
    }

    /** A cursor is kept only while its source's table, key column, cursor column and filters stay the same. */
    static String cursorHash(SourceDefinition s) {
        String basis = s.table() + "|" + s.mapping().column() + "|" + s.schedule().column() + "|" + s.schedule().filters();
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

    public List<String> destinationIds() {
        return destinationIds;
    }
}
