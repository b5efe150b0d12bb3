package dev.dromedary.routes;

import static dev.dromedary.DromedaryConstants.EXPORTS_FOLLOW;
import static dev.dromedary.DromedaryConstants.FOLLOWING;
import static dev.dromedary.DromedaryConstants.MORE;
import static dev.dromedary.DromedaryConstants.OPERATION;
import static dev.dromedary.DromedaryConstants.RUN;

import dev.dromedary.DromedaryConstants;
import dev.dromedary.app.AppRefresh;
import dev.dromedary.destination.ExportRun;
import dev.dromedary.destination.OperationBatch;
import dev.dromedary.destination.RecordExport;
import dev.dromedary.group.GroupEvaluator;
import dev.dromedary.run.ImportProgress;
import dev.dromedary.record.RecordDeleter;
import dev.dromedary.run.Transient;
import dev.dromedary.source.ImportRun;
import dev.dromedary.source.ScheduleDefinition;
import dev.dromedary.source.SourcePage;
import dev.dromedary.source.SourceImport;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

/**
 * Builds Dromedary's routes, all ordinary Camel routes with stable ids:
 * <ul>
 * <li>{@code schedule-<source>}: Quartz trigger → {@code run-<source>}</li>
 * <li>{@code run-<source>}: import → properties of new records (secondary sources) → exports of the model →
 * purge of exported deletions</li>
 * <li>{@code import-<source>}: loop over {@code import-page-<source>} (read a page past the cursor → commit records
 * and cursor), then confirm records</li>
 * <li>{@code groups-<model>}: group memberships of the records changed in the run, in one statement</li>
 * <li>{@code enrich-<source>}: batch loop over records waiting for this secondary source's properties</li>
 * <li>{@code refresh-<app>}: the App's refresh query; when its result changed, {@code run-<source>} of each of
 * the App's refresh-enabled sources</li>
 * <li>{@code export-<destination>}: loop over {@code export-batch-<destination>} (plan → split by operation →
 * choice() insert / update / delete → commit)</li>
 * </ul>
 * A page or batch that fails on a connection fault is retried whole, with exponential back-off, by Camel's error
 * handler; it restarts from the last commit, so a retry never loses or repeats work.
 */
public final class SyncRouteBuilder extends RouteBuilder {
    public static final String IMPORT = "direct:dromedary-import-";
    public static final String ENRICH = "direct:dromedary-enrich-";
    public static final String EXPORT = "direct:dromedary-export-";
    public static final String PURGE = "direct:dromedary-purge-";
    public static final String RUN_SOURCE = "direct:dromedary-run-";
    public static final String REFRESH = "direct:dromedary-refresh-";
    public static final String GROUPS = "direct:dromedary-groups-";
    /** Hooks: an integrator's route from these endpoints receives each finished run (body: its counts). */
    public static final String HOOK_IMPORT_FINISHED = "direct:dromedary-hook-import-finished";
    public static final String HOOK_EXPORT_FINISHED = "direct:dromedary-hook-export-finished";
    // Hooks are wire-tapped: they see each run, but cannot delay it or make it fail.
    private static final String HOOK_OPTIONS = "?block=false&failIfNoConsumers=false";
    static final int RETRIES = 3;
    static final long RETRY_DELAY_MS = 1000;

    /** What the routes are built from. */
    public record Plan(List<SourceImport> imports, Map<String, ScheduleDefinition> schedules,
                       Map<String, List<String>> enrichBySource, Map<String, List<String>> exportsBySource,
                       Map<String, String> modelBySource, Map<String, RecordDeleter> deleters,
                       Map<String, List<String>> destinationsByModel, List<RecordExport> exports,
                       Map<AppRefresh, List<String>> refreshes, Map<String, GroupEvaluator> groups,
                       boolean startSchedules, boolean clustered) {
    }

    private final Plan plan;
    private final QuartzUris quartz;

    public SyncRouteBuilder(Plan plan) {
        this.plan = plan;
        this.quartz = new QuartzUris(plan.clustered());
    }

    @Override
    public void configure() {
        for (SourceImport source : plan.imports()) {
            importRoutes(source);
            if (!source.isPrimary()) {
                enrichRoute(source);
            }
        }
        for (RecordExport destination : plan.exports()) {
            exportRoutes(destination);
        }
        plan.refreshes().forEach(this::refreshRoutes);
        plan.groups().forEach(this::groupRoutes);
        plan.deleters().forEach((model, deleter) -> from(PURGE + model)
                .routeId("purge-" + model)
                .process(guarded(e -> deleter.purge(plan.destinationsByModel().getOrDefault(model, List.of())))));
    }

    /** Retries a step whole on a passing database fault; anything else, or the last failure, runs onFailure. */
    private RouteDefinition withErrorHandling(RouteDefinition route, Processor onFailure) {
        route.onException(Exception.class).onWhen(e -> Transient.is(e.getProperty(Exchange.EXCEPTION_CAUGHT,
                        Throwable.class) != null ? e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)
                        : e.getException()))
                    .maximumRedeliveries(RETRIES).redeliveryDelay(RETRY_DELAY_MS).useExponentialBackOff()
                    .retryAttemptedLogLevel(org.apache.camel.LoggingLevel.WARN).logExhausted(false)
                    .handled(false).process(onFailure)
                .end();
        // The run's own failure line says what went wrong; Camel's stack trace would only repeat it.
        route.onException(Exception.class).logExhausted(false).handled(false).process(onFailure).end();
        return route;
    }

    private void importRoutes(SourceImport source) {
        String id = source.id();
        from(quartz.of(id, plan.schedules().get(id)))
                .routeId("schedule-" + id)
                .autoStartup(plan.startSchedules())
                .to(RUN_SOURCE + id);

        // import → properties → exports: an export never sees a half-imported record. The exports already follow a
        // primary import's pages, up to its first record waiting for a secondary (see the import route); the
        // exports after it wait for those to end and send what is left.
        List<String> destinations = plan.exportsBySource().getOrDefault(id, List.of());
        var run = from(RUN_SOURCE + id).routeId("run-" + id)
                .setProperty(EXPORTS_FOLLOW, constant(!destinations.isEmpty()))
                .to(IMPORT + id);
        for (String secondary : plan.enrichBySource().getOrDefault(id, List.of())) {
            run.to(ENRICH + secondary);
        }
        String model = plan.modelBySource().get(id);
        if (plan.groups().containsKey(model)) {
            run.to(GROUPS + model);
        }
        for (String destination : destinations) {
            run.to(EXPORT + destination);
        }
        run.to(PURGE + model);

        Processor failed = e -> source.finish(importRun(e), e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        var importRoute = withErrorHandling(from(IMPORT + id).routeId("import-" + id), failed)
                .removeProperty(RUN)
                .setHeader(DromedaryConstants.SOURCE, constant(id))
                .process(guarded(e -> {
                    e.setProperty(RUN, source.begin());
                    e.setProperty(MORE, true);
                }));
        // Within a run, each export of the model is wire-tapped to follow the pages as they commit, on its own
        // thread, when the import reports its progress (a primary table source).
        for (String destination : destinations) {
            importRoute.filter(e -> e.getProperty(EXPORTS_FOLLOW, false, Boolean.class)
                            && importRun(e).progress() != null)
                    .wireTap(EXPORT + destination)
                        .onPrepare(e -> {
                            e.setProperty(FOLLOWING, importRun(e).progress());
                            e.removeProperty(RUN);
                            e.removeProperty(MORE);
                            e.removeProperty(EXPORTS_FOLLOW);
                        })
                    .end();
        }
        importRoute.removeProperty(EXPORTS_FOLLOW)
                .loopDoWhile(exchangeProperty(MORE))
                    .to("direct:dromedary-import-page-" + id)
                .end()
                .process(guarded(e -> source.confirm(importRun(e))))
                .process(guarded(e -> {
                    source.finish(importRun(e), null);
                    e.getIn().setBody(importRun(e).counts);
                }))
                .wireTap(HOOK_IMPORT_FINISHED + HOOK_OPTIONS);

        // One page; on failure the caller's error handler retries it from the committed cursor.
        from("direct:dromedary-import-page-" + id)
                .routeId("import-page-" + id)
                .errorHandler(noErrorHandler())
                .process(guarded(e -> e.getIn().setBody(source.read(importRun(e)))))
                .process(guarded(e -> {
                    source.store(importRun(e), e.getIn().getBody(SourcePage.class));
                    e.setProperty(MORE, importRun(e).hasMore());
                }));
    }

    /**
     * groups-<model>: memberships of records changed since the last evaluation. With relative-date rules, time
     * alone changes them: groups-schedule-<model> re-evaluates every record hourly, then runs the exports.
     */
    private void groupRoutes(String model, GroupEvaluator evaluator) {
        withErrorHandling(from(GROUPS + model).routeId("groups-" + model), e -> { })
                .process(guarded(e -> e.getIn().setBody(evaluator.evaluate(false))));
        if (evaluator.hasRelativeRules()) {
            var route = from(quartz.every(QuartzUris.GROUPS, model, 3_600_000))
                    .routeId("groups-schedule-" + model)
                    .autoStartup(plan.startSchedules())
                    .process(guarded(e -> evaluator.evaluate(true)));
            for (String destination : plan.destinationsByModel().getOrDefault(model, List.of())) {
                route.to(EXPORT + destination);
            }
        }
    }

    /** An App's refresh query on its own schedule; a changed result runs the App's refresh-enabled schedules. */
    private void refreshRoutes(AppRefresh refresh, List<String> sources) {
        String app = refresh.app().name();
        from(quartz.every(QuartzUris.REFRESH, app, refresh.app().refreshEvery().toMillis()))
                .routeId("refresh-schedule-" + app)
                .autoStartup(plan.startSchedules())
                .to(REFRESH + app);
        var route = from(REFRESH + app)
                .routeId("refresh-" + app)
                .process(guarded(e -> e.setProperty("DromedaryRefreshChanged", refresh.changed())))
                .filter(exchangeProperty("DromedaryRefreshChanged").isEqualTo(true));
        for (String source : sources) {
            route.to(RUN_SOURCE + source);
        }
        route.end();
    }

    private void enrichRoute(SourceImport source) {
        String id = source.id();
        Processor failed = e -> source.finish(importRun(e), e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        withErrorHandling(from(ENRICH + id).routeId("enrich-" + id), failed)
                .removeProperty(RUN)
                .setHeader(DromedaryConstants.SOURCE, constant(id))
                .process(guarded(e -> {
                    e.setProperty(RUN, source.beginEnrich());
                    e.setProperty(MORE, true);
                }))
                .loopDoWhile(exchangeProperty(MORE))
                    .process(guarded(e -> {
                        source.enrichBatch(importRun(e));
                        e.setProperty(MORE, importRun(e).hasMore());
                    }))
                .end()
                .process(guarded(e -> {
                    source.finish(importRun(e), null);
                    e.getIn().setBody(importRun(e).counts);
                }));
    }

    private void exportRoutes(RecordExport destination) {
        String id = destination.id();
        Processor failed = e -> destination.finish(exportRun(e), e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        withErrorHandling(from(EXPORT + id).routeId("export-" + id), failed)
                .removeProperty(RUN)
                .setHeader(DromedaryConstants.DESTINATION, constant(id))
                .process(guarded(e -> {
                    // Left on the exchange: a start retried after a passing fault must follow again.
                    ImportProgress following = e.getProperty(FOLLOWING, ImportProgress.class);
                    ExportRun run = following == null ? destination.begin() : destination.follow(following);
                    e.setProperty(RUN, run);
                    e.setProperty(MORE, run != null && run.hasMore());
                }))
                .loopDoWhile(exchangeProperty(MORE))
                    .to("direct:dromedary-export-batch-" + id)
                .end()
                .process(guarded(e -> {
                    if (exportRun(e) == null) {
                        // A following export not started: another export of the destination was under way.
                        e.setRouteStop(true);
                        return;
                    }
                    destination.finish(exportRun(e), null);
                    e.getIn().setBody(exportRun(e).counts);
                }))
                .wireTap(HOOK_EXPORT_FINISHED + HOOK_OPTIONS);

        // One batch in one destination transaction; the content-based router picks each operation's writer.
        from("direct:dromedary-export-batch-" + id)
                .routeId("export-batch-" + id)
                .errorHandler(noErrorHandler())
                .process(guarded(e -> e.getIn().setBody(destination.plan(exportRun(e)))))
                .split(body()).stopOnException()
                    .process(guarded(e -> e.getIn().setHeader(OPERATION, batch(e).operation().header())))
                    .choice()
                        .when(header(OPERATION).isEqualTo("insert"))
                            .process(guarded(e -> destination.insert(exportRun(e), batch(e))))
                        .when(header(OPERATION).isEqualTo("update"))
                            .process(guarded(e -> destination.update(exportRun(e), batch(e))))
                        .when(header(OPERATION).isEqualTo("delete"))
                            .process(guarded(e -> destination.delete(exportRun(e), batch(e))))
                        .when(header(OPERATION).isEqualTo("groups"))
                            .process(guarded(e -> destination.clearGroups(exportRun(e), batch(e))))
                    .end()
                .end()
                .process(guarded(e -> {
                    destination.commit(exportRun(e));
                    e.setProperty(MORE, exportRun(e).hasMore());
                }));
    }

    /**
     * Lets the error handlers see an Error thrown by a step (an assertion, a stack or heap exhausted) as an
     * exception. Camel's onException(Exception) does not catch an Error: the run would stay "running", its gate
     * held and a following export waiting, until the process restarted.
     */
    private static Processor guarded(Processor step) {
        return e -> {
            try {
                step.process(e);
            } catch (Error error) {
                throw new IllegalStateException(error.toString(), error);
            }
        };
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
