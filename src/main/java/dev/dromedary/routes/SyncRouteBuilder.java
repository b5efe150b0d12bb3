package dev.dromedary.routes;

import static dev.dromedary.DromedaryConstants.MORE;
import static dev.dromedary.DromedaryConstants.OPERATION;
import static dev.dromedary.DromedaryConstants.RUN;

import dev.dromedary.DromedaryConstants;
import dev.dromedary.destination.ExportRun;
import dev.dromedary.destination.OperationBatch;
import dev.dromedary.destination.RecordExport;
import dev.dromedary.source.ImportRun;
import dev.dromedary.source.ScheduleDefinition;
import dev.dromedary.source.SourcePage;
import dev.dromedary.source.TableImport;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * Builds Dromedary's routes, all ordinary Camel routes with stable ids:
 * <ul>
 * <li>{@code schedule-<source>}: Quartz trigger → {@code run-<source>}</li>
 * <li>{@code run-<source>}: import → properties of new records (secondary sources) → exports of the model</li>
 * <li>{@code import-<source>}: page loop: read a page past the cursor → commit records and cursor</li>
 * <li>{@code enrich-<source>}: batch loop over records waiting for this secondary source's properties</li>
 * <li>{@code export-<destination>}: batch loop: plan → split by operation → choice() insert / update / delete →
 * commit</li>
 * </ul>
 */
public final class SyncRouteBuilder extends RouteBuilder {
    public static final String IMPORT = "direct:dromedary-import-";
    public static final String ENRICH = "direct:dromedary-enrich-";
    public static final String EXPORT = "direct:dromedary-export-";
    public static final String RUN_SOURCE = "direct:dromedary-run-";
    /** Hooks: an integrator's route from these endpoints receives each finished run (body: its counts). */
    public static final String HOOK_IMPORT_FINISHED = "direct:dromedary-hook-import-finished";
    public static final String HOOK_EXPORT_FINISHED = "direct:dromedary-hook-export-finished";
    // Hooks are wire-tapped: they see each run, but cannot delay it or make it fail.
    private static final String HOOK_OPTIONS = "?block=false&failIfNoConsumers=false";

    private final List<TableImport> imports;
    private final Map<String, ScheduleDefinition> schedules;
    private final Map<String, List<String>> enrichBySource;
    private final Map<String, List<String>> exportsBySource;
    private final List<RecordExport> exports;
    private final boolean startSchedules;

    public SyncRouteBuilder(List<TableImport> imports, Map<String, ScheduleDefinition> schedules,
                            Map<String, List<String>> enrichBySource, Map<String, List<String>> exportsBySource,
                            List<RecordExport> exports, boolean startSchedules) {
        this.imports = imports;
        this.schedules = schedules;
        this.enrichBySource = enrichBySource;
        this.exportsBySource = exportsBySource;
        this.exports = exports;
        this.startSchedules = startSchedules;
    }

    @Override
    public void configure() {
        for (TableImport source : imports) {
            importRoutes(source);
            if (!source.isPrimary()) {
                enrichRoute(source);
            }
        }
        for (RecordExport destination : exports) {
            exportRoute(destination);
        }
    }

    private void importRoutes(TableImport source) {
        String id = source.id();
        from(QuartzUris.of(id, schedules.get(id)))
                .routeId("schedule-" + id)
                .autoStartup(startSchedules)
                .to(RUN_SOURCE + id);

        // import → properties → exports: an export never sees a half-imported record.
        var run = from(RUN_SOURCE + id).routeId("run-" + id).to(IMPORT + id);
        for (String secondary : enrichBySource.getOrDefault(id, List.of())) {
            run.to(ENRICH + secondary);
        }
        for (String destination : exportsBySource.getOrDefault(id, List.of())) {
            run.to(EXPORT + destination);
        }

        from(IMPORT + id)
                .routeId("import-" + id)
                .onException(Exception.class).handled(false)
                    .process(e -> source.finish(importRun(e), e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)))
                .end()
                .removeProperty(RUN)
                .setHeader(DromedaryConstants.SOURCE, constant(id))
                .process(e -> {
                    e.setProperty(RUN, source.begin());
                    e.setProperty(MORE, true);
                })
                .loopDoWhile(exchangeProperty(MORE))
                    .process(e -> e.getIn().setBody(source.read(importRun(e))))
                    .process(e -> {
                        source.store(importRun(e), e.getIn().getBody(SourcePage.class));
                        e.setProperty(MORE, importRun(e).hasMore());
                    })
                .end()
                .process(e -> {
                    source.finish(importRun(e), null);
                    e.getIn().setBody(importRun(e).counts);
                })
                .wireTap(HOOK_IMPORT_FINISHED + HOOK_OPTIONS);
    }

    private void enrichRoute(TableImport source) {
        String id = source.id();
        from(ENRICH + id)
                .routeId("enrich-" + id)
                .onException(Exception.class).handled(false)
                    .process(e -> source.finish(importRun(e), e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)))
                .end()
                .removeProperty(RUN)
                .setHeader(DromedaryConstants.SOURCE, constant(id))
                .process(e -> {
                    e.setProperty(RUN, source.beginEnrich());
                    e.setProperty(MORE, true);
                })
                .loopDoWhile(exchangeProperty(MORE))
                    .process(e -> {
                        source.enrichBatch(importRun(e));
                        e.setProperty(MORE, importRun(e).hasMore());
                    })
                .end()
                .process(e -> {
                    source.finish(importRun(e), null);
                    e.getIn().setBody(importRun(e).counts);
                });
    }

    private void exportRoute(RecordExport destination) {
        String id = destination.id();
        from(EXPORT + id)
                .routeId("export-" + id)
                .onException(Exception.class).handled(false)
                    .process(e -> destination.finish(exportRun(e), e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)))
                .end()
                .removeProperty(RUN)
                .setHeader(DromedaryConstants.DESTINATION, constant(id))
                .process(e -> {
                    e.setProperty(RUN, destination.begin());
                    e.setProperty(MORE, true);
                })
                .loopDoWhile(exchangeProperty(MORE))
                    .process(e -> e.getIn().setBody(destination.plan(exportRun(e))))
                    .split(body()).stopOnException()
                        .process(e -> e.getIn().setHeader(OPERATION, batch(e).operation().header()))
                        .choice()
                            .when(header(OPERATION).isEqualTo("insert"))
                                .process(e -> destination.insert(exportRun(e), batch(e)))
                            .when(header(OPERATION).isEqualTo("update"))
                                .process(e -> destination.update(exportRun(e), batch(e)))
                            .when(header(OPERATION).isEqualTo("delete"))
                                .process(e -> destination.delete(exportRun(e), batch(e)))
                        .end()
                    .end()
                    .process(e -> {
                        destination.commit(exportRun(e));
                        e.setProperty(MORE, exportRun(e).hasMore());
                    })
                .end()
                .process(e -> {
                    destination.finish(exportRun(e), null);
                    e.getIn().setBody(exportRun(e).counts);
                })
                .wireTap(HOOK_EXPORT_FINISHED + HOOK_OPTIONS);
    }

    private static OperationBatch batch(Exchange e) {
        return e.getIn().getBody(OperationBatch.class);
    }

    private static ImportRun importRun(Exchange e) {
        return e.getProperty(RUN, ImportRun.class);
    }

    private static ExportRun exportRun(Exchange e) {
        return e.getProperty(RUN, ExportRun.class);
    }
}
