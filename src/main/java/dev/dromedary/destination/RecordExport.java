package dev.dromedary.destination;

import dev.dromedary.config.Enums;
import dev.dromedary.run.Errors;
import dev.dromedary.run.ImportProgress;
import dev.dromedary.run.RunGate;
import dev.dromedary.run.RunHistory;
import dev.dromedary.run.RunLocks;
import dev.dromedary.run.Transient;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs exports of one destination: plan a batch, write it in one destination transaction, remember it. */
public final class RecordExport {
    private static final Logger LOG = LoggerFactory.getLogger(RecordExport.class);
    // A following run looks at the import's progress again at least this often, should it miss a signal.
    private static final java.time.Duration FOLLOW_LOOK_AGAIN = java.time.Duration.ofSeconds(1);

    private final DestinationDefinition destination;
    private final ExportPlanner planner;
    private final DestinationWriter writer;
    private final RunHistory runs;
    // Exports of one destination never overlap, whichever source's run or node triggers them.
    private final RunGate gate;
    private dev.dromedary.run.RunMetrics metrics;
    private ExecutorService planAhead;
    /** The import the last run followed, until the next run starts. Read and written under the gate. */
    private Long followedImport;

    public void metrics(dev.dromedary.run.RunMetrics metrics) {
        this.metrics = metrics;
    }

    public RecordExport(DestinationDefinition destination, ExportPlanner planner, DestinationWriter writer,
                        RunHistory runs, RunLocks locks) {
        this.destination = destination;
        this.planner = planner;
        this.writer = writer;
        this.runs = runs;
        this.gate = new RunGate(locks, "export", destination.id());
    }

    public String id() {
        return destination.id();
    }

    public ExportRun begin() throws SQLException, InterruptedException {
        return gate.open(() -> {
            // After a run that followed an import, the records it refused are not tried again at once: by the next
            // run of this destination, whatever starts it (best effort: usually the export after that import).
            // Forgotten only once this run has started, so a start retried after a passing fault still knows it.
            ExportRun run = start(null, followedImport);
            followedImport = null;
            return run;
        });
    }

    /**
     * Starts a run that follows an import still running: it exports each page the import commits, and ends after
     * the import ended and everything it committed is exported. It starts only once the import has committed
     * something past the destination's cursor, and not when another export of this destination is under way
     * (here or on another node): then null, and the export after the import covers the rest.
     */
    public ExportRun follow(ImportProgress progress) throws SQLException, InterruptedException {
        // An import that changes nothing, or whose first records wait for a secondary source, leaves no empty run.
        if (!progress.awaitPast(planner.cursor())) {
            return null;
        }
        // Looked at again under the gate: the export after the import may have sent everything meanwhile.
        return gate.tryOpen(() -> progress.ended() && progress.committedSeq() <= planner.cursor() ? null
                : start(progress, null));
    }

    private ExportRun start(ImportProgress following, Long followedImport) throws SQLException {
        long runId = runs.start("export", destination.id());
        try {
            ExportRun run = planner.begin(runId, following, followedImport);
            // Nothing changed since the last run: no batch is planned and no destination connection is opened.
            run.hasMore = run.upperSeq > run.lastSeq || following != null;
            return run;
        } catch (SQLException | RuntimeException e) {
            // Recorded as started, so it must not stay "running".
            runs.finish(runId, new dev.dromedary.run.RunCounts(), Errors.describe(e));
            throw e;
        }
    }

    /** Plans batches on this pool, each while the batch before it is written (without one, in turn). */
    public void planAheadOn(ExecutorService pool) {
        this.planAhead = pool;
    }

    /** Plans the next batch and opens its destination transaction. */
    public List<OperationBatch> plan(ExportRun run) throws SQLException, InterruptedException {
        // A batch retried after a connection fault starts clean, from the last committed point.
        run.abandonBatch();
        if (run.following != null && !awaitCommitted(run)) {
            // The import has ended and all it committed is exported: nothing to plan, no transaction to open.
            run.hasMore = false;
            return List.of();
        }
        // Checked after any wait for the import: the run's lock may have been lost meanwhile.
        gate.verify(run.runId());
        long upper = run.upperSeq;
        ExportPlanner.BatchPlan plan = run.ahead.take(new ExportRun.SeqWindow(run.lastSeq, upper));
        if (plan != null && run.inFlight != null && plan.readAnyOf(run.inFlight.recordKeys())) {
            // Made ahead past the window, it read a record of the batch then in flight, changed again since by
            // another writer of the model, before that batch's exports rows were committed: planned again, the
            // record is compared with what that batch sent. (Within a window no record of it can come back.)
            plan = null;
        }
        if (plan == null) {
            plan = planner.plan(run.lastSeq, upper);
        }
        run.inFlight = plan;
        planAhead(run);
        run.transaction = writer.begin();
        // Counted only once the batch can be written: a batch planned again after a failure is not counted twice.
        List<OperationBatch> batches = planner.apply(run, plan);
        if (run.following != null) {
            // A following run ends only when awaitCommitted says the import has ended and nothing is left.
            run.batchReachesUpper = !plan.hasMore();
            run.hasMore = true;
        }
        return batches;
    }

    /**
     * Plans the next batch while this one is written: the rest of the window, or, when this batch ends the window
     * of a run following an import, the pages the import has committed since the window was set. Tried once the
     * batch is planned and, if nothing was to plan then, again once the destination has committed it. The export
     * cursor still moves only with each batch's commit, in order.
     */
    private void planAhead(ExportRun run) {
        if (planAhead == null || run.ahead.started()) {
            return;
        }
        ExportPlanner.BatchPlan plan = run.inFlight;
        // The batch's window: the run's bound moves only when the next batch is planned.
        long upper = run.upperSeq;
        long until = upper;
        if (!plan.hasMore() || plan.lastSeq() >= upper) {
            until = run.following == null ? upper : run.following.committedSeq();
            if (until <= upper) {
                return;
            }
            run.aheadUpper = until;
        }
        long next = plan.lastSeq();
        long bound = until;
        run.ahead.start(new ExportRun.SeqWindow(next, bound), planAhead.submit(() -> planner.plan(next, bound)));
    }

    /**
     * A run following an import, once it has exported all it knew to be committed (or knows of nothing past its
     * cursor yet): waits for the import's next page, then takes its committed seq as the new upper bound. False
     * when the import has ended and nothing is left to export.
     */
    private boolean awaitCommitted(ExportRun run) throws InterruptedException {
        while (run.reachedUpper || run.upperSeq <= run.lastSeq) {
            long mark = run.following.mark();
            boolean ended = run.following.ended();
            // The bound of a plan made ahead, if there is one past the window: committed too, and already planned.
            long upper = run.aheadUpper > run.upperSeq ? run.aheadUpper : run.following.committedSeq();
            if (upper > run.upperSeq) {
                run.upperSeq = upper;
                run.reachedUpper = false;
            } else if (ended) {
                return false;
            } else {
                run.following.awaitAfter(mark, FOLLOW_LOOK_AGAIN);
            }
        }
        return true;
    }

    /** New records: inserted (sync, additive), or only updated where a row already exists (enrich). */
    public void insert(ExportRun run, OperationBatch batch) throws SQLException {
        write(run, batch);
    }

    /** Changed records: rows updated where they differ; one missing is written again except in enrich mode. */
    public void update(ExportRun run, OperationBatch batch) throws SQLException {
        write(run, batch);
    }

    /** Deleted records (sync mode only): rows removed by the key last exported. */
    public void delete(ExportRun run, OperationBatch batch) throws SQLException {
        isolated(run, batch.changes(), changes -> {
            writer.clearGroups(run.transaction, changes);
            run.counts.deleted += writer.delete(run.transaction, changes);
            run.deletedKeys.addAll(changes.stream().map(PlannedChange::recordKey).toList());
        });
    }

    private void write(ExportRun run, OperationBatch batch) throws SQLException {
        boolean enrich = destination.syncMode() == SyncMode.ENRICH;
        isolated(run, batch.changes(), changes -> {
            if (enrich) {
                java.util.Set<String> missing = new java.util.HashSet<>();
                run.counts.updated += writer.updateExisting(run.transaction, changes, missing);
                run.counts.refused += missing.size();
                // A record with no row to enrich is not remembered as sent: it is tried again when it changes.
                List<PlannedChange> present = changes.stream()
                        .filter(ch -> !missing.contains(ch.values()[writer.keyIndex()])).toList();
                writer.replaceGroups(run.transaction, groupsChanged(present), false);
                run.written.addAll(present);
            } else {
                long[] n = insertOrUpsert(run, changes);
                run.counts.inserted += n[0];
                run.counts.updated += n[1];
                // A row the upsert had to create again (removed from the destination by hand) gets its group rows
                // too, whatever the plan said; otherwise only records whose groups changed have theirs rewritten.
                writer.replaceGroups(run.transaction, n[0] > 0 ? changes : groupsChanged(changes), true);
                run.written.addAll(changes);
            }
        });
    }

    /**
     * Writes the changes (sync and additive modes): those of records never sent to this destination by COPY, the
     * others by the upsert. Once a COPY was refused (the table held a row of a record never sent: a resync, rows
     * loaded before the first sync), the rest of the run upserts everything.
     * @return rows inserted, rows updated
     */
    private long[] insertOrUpsert(ExportRun run, List<PlannedChange> changes) throws SQLException {
        List<PlannedChange> firsts = run.copyNew && writer.takesCopy(run.transaction)
                ? changes.stream().filter(PlannedChange::firstExport).toList() : List.of();
        List<PlannedChange> rest = changes;
        long copied = 0;
        if (!firsts.isEmpty()) {
            DestinationWriter.Copied c = writer.copyNew(run.transaction, firsts);
            if (c.refusal() != null) {
                LOG.info("Export {}: rows of records never sent to the destination go in by the upsert for the rest "
                        + "of this run, as their COPY was refused: {}", destination.id(), c.refusal());
                run.copyNew = false;
            } else {
                copied = c.rows();
                rest = changes.stream().filter(ch -> !ch.firstExport()).toList();
            }
        }
        long[] n = rest.isEmpty() ? new long[2] : writer.upsert(run.transaction, rest);
        return new long[] {n[0] + copied, n[1]};
    }

    private static List<PlannedChange> groupsChanged(List<PlannedChange> changes) {
        return changes.stream().filter(PlannedChange::groupsChanged).toList();
    }

    /** A record that left, kept by additive or enrich mode: only its group rows go. */
    public void clearGroups(ExportRun run, OperationBatch batch) throws SQLException {
        isolated(run, batch.changes(), changes -> {
            writer.clearGroups(run.transaction, changes);
            run.written.addAll(changes);
        });
    }

    private interface Step {
        void apply(List<PlannedChange> changes) throws SQLException;
    }

    /**
     * Applies a step under a savepoint. When the destination refuses the data, the batch is split in halves
     * until the refused record stands alone; it is recorded with its reason and the rest lands, all in the
     * batch's one transaction. A connection fault is not the data's: it fails the batch, to be retried whole.
     */
    private void isolated(ExportRun run, List<PlannedChange> changes, Step step) throws SQLException {
        Savepoint savepoint = run.transaction.setSavepoint();
        long[] before = {run.counts.inserted, run.counts.updated, run.counts.deleted, run.counts.refused};
        int written = run.written.size();
        int deleted = run.deletedKeys.size();
        try {
            step.apply(changes);
            run.transaction.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            if (Transient.is(e) || !Transient.isDataRefusal(e)) {
                throw e;
            }
            run.transaction.rollback(savepoint);
            run.counts.inserted = before[0];
            run.counts.updated = before[1];
            run.counts.deleted = before[2];
            run.counts.refused = before[3];
            run.written.subList(written, run.written.size()).clear();
            run.deletedKeys.subList(deleted, run.deletedKeys.size()).clear();
            if (changes.size() == 1) {
                String reason = Errors.describe(e);
                run.failures.put(changes.get(0).recordKey(), reason);
                LOG.warn("Export {}: record {} refused: {}", destination.id(), changes.get(0).recordKey(), reason);
                return;
            }
            int half = changes.size() / 2;
            isolated(run, changes.subList(0, half), step);
            isolated(run, changes.subList(half, changes.size()), step);
        }
    }

    /** Commits the destination first, then records what was exported: a crash in between replays harmlessly. */
    public void commit(ExportRun run) throws SQLException {
        if (run.transaction == null && run.following != null && !run.hasMore) {
            // A following run's last pass, which found nothing to write.
            return;
        }
        run.transaction.commit();
        run.transaction.close();
        run.transaction = null;
        // The import may have committed its next page while this batch was written, after the batch was planned:
        // that page is planned now, beside this batch's exports rows (in a 1% run, its whole second plan). After the
        // destination's commit, so that should the plan fail to start, the batch only replays, as after a crash.
        planAhead(run);
        planner.recordExported(run);
        // Only a committed batch counts: one retried after a failure is planned again from the same seq, now.
        run.reachedUpper = run.batchReachesUpper;
    }

    public void finish(ExportRun run, Throwable error) throws SQLException {
        if (run == null || run.finished) {
            return;
        }
        run.finished = true;
        try {
            run.ahead.cancel();
            run.abandonBatch();
            if (error == null) {
                writer.analyzeAfter(run.counts.inserted + run.counts.updated + run.counts.deleted);
            }
            runs.finish(run.runId, run.counts, Errors.describe(error));
            if (run.following != null) {
                followedImport = run.following.importRunId();
            }
            if (metrics != null) {
                metrics.exported(destination.id(), run.counts, (System.nanoTime() - run.startedNanos) / 1e9, error == null);
            }
            if (error == null) {
                LOG.info("Export {} succeeded: {} inserted, {} updated, {} deleted, {} unchanged, {} refused by "
                        + "sync mode {}, {} failed", destination.id(), run.counts.inserted, run.counts.updated,
                        run.counts.deleted, run.counts.skipped, run.counts.refused,
                        Enums.configName(destination.syncMode()), run.counts.failed);
            } else {
                LOG.error("Export {} failed: {}", destination.id(), Errors.describe(error));
            }
        } finally {
            gate.leave();
        }
    }
}
