package dev.dromedary.destination;

import dev.dromedary.run.RunHistory;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs exports of one destination: plan a batch, write it in one destination transaction, remember it. */
public final class RecordExport {
    private static final Logger LOG = LoggerFactory.getLogger(RecordExport.class);

    private final DestinationDefinition destination;
    private final ExportPlanner planner;
    private final DestinationWriter writer;
    private final RunHistory runs;
    // Exports of one destination never overlap, whichever source's run triggers them.
    private final Semaphore exclusive = new Semaphore(1);

    public RecordExport(DestinationDefinition destination, ExportPlanner planner, DestinationWriter writer,
                        RunHistory runs) {
        this.destination = destination;
        this.planner = planner;
        this.writer = writer;
        this.runs = runs;
    }

    public String id() {
        return destination.id();
    }

    public ExportRun begin() throws SQLException, InterruptedException {
        exclusive.acquire();
        try {
            ExportRun run = planner.begin(runs.start("export", destination.id()));
            run.hasMore = true;
            return run;
        } catch (SQLException | RuntimeException e) {
            exclusive.release();
            throw e;
        }
    }

    /** Plans the next batch and opens its destination transaction. */
    public List<OperationBatch> plan(ExportRun run) throws SQLException {
        List<OperationBatch> batches = planner.next(run);
        run.transaction = writer.begin();
        return batches;
    }

    /** New records: inserted, or updated where a row with the key already exists (a replayed batch). */
    public void insert(ExportRun run, OperationBatch batch) throws SQLException {
        upsert(run, batch);
    }

    /** Changed records: rows updated where they differ; a row deleted by hand is written again (sync mode). */
    public void update(ExportRun run, OperationBatch batch) throws SQLException {
        upsert(run, batch);
    }

    private void upsert(ExportRun run, OperationBatch batch) throws SQLException {
        long[] n = writer.upsert(run.transaction, batch.changes());
        run.counts.inserted += n[0];
        run.counts.updated += n[1];
        run.written.addAll(batch.changes());
    }

    /** Deleted records: their rows removed by the key last exported. */
    public void delete(ExportRun run, OperationBatch batch) throws SQLException {
        run.counts.deleted += writer.delete(run.transaction, batch.changes());
        run.deletedKeys.addAll(batch.changes().stream().map(PlannedChange::recordKey).toList());
    }

    /** Commits the destination first, then records what was exported: a crash in between replays harmlessly. */
    public void commit(ExportRun run) throws SQLException {
        run.transaction.commit();
        run.transaction.close();
        run.transaction = null;
        planner.recordExported(run);
    }

    public void finish(ExportRun run, Throwable error) throws SQLException {
        if (run == null || run.finished) {
            return;
        }
        run.finished = true;
        try {
            run.abandonBatch();
            runs.finish(run.runId, run.counts, error == null ? null : String.valueOf(error.getMessage()));
            if (error == null) {
                LOG.info("Export {} succeeded: {} inserted, {} updated, {} unchanged", destination.id(),
                        run.counts.inserted, run.counts.updated, run.counts.skipped);
            } else {
                LOG.error("Export {} failed: {}", destination.id(), error.getMessage());
            }
        } finally {
            exclusive.release();
        }
    }
}
