package dev.dromedary.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The page an import reads ahead is used only by the page that starts where it started. */
class ReadAheadTest {
    private static final Cursor PAGE_2 = new Cursor("2026-11-24 10:00:00+00", "700");
    private static final Cursor PAGE_3 = new Cursor("2026-11-24 10:00:01+00", "1400");

    private static SourcePage page(Cursor last) {
        return new SourcePage(List.of(), 700, 0, last, true);
    }

    @Test
    void theNextPage_isTheOneReadAheadFromItsCursor() throws Exception {
        ImportRun run = new ImportRun(1, "import", PAGE_2);
        run.readingAhead(PAGE_2, CompletableFuture.completedFuture(page(PAGE_3)));

        assertThat(run.readAhead(PAGE_2).last()).isEqualTo(PAGE_3);
        assertThat(run.readAhead(PAGE_2)).as("taken once").isNull();
    }

    @Test
    void aPageWrittenAgainAfterAFailure_doesNotTakeThePageReadAheadOfIt() throws Exception {
        // Page 2 failed to commit: the cursor still stands where page 2 starts, not where the read-ahead began.
        ImportRun run = new ImportRun(1, "import", PAGE_2);
        Future<SourcePage> ahead = new CompletableFuture<>();
        run.readingAhead(PAGE_3, ahead);

        assertThat(run.readAhead(PAGE_2)).isNull();
        assertThat(ahead.isCancelled()).isTrue();
    }

    @Test
    void aFailedReadAhead_failsTheReadWithTheDatabasesOwnError() {
        ImportRun run = new ImportRun(1, "import", PAGE_2);
        SQLException lost = new SQLException("connection lost", "08006");
        run.readingAhead(PAGE_2, CompletableFuture.failedFuture(lost));

        assertThatThrownBy(() -> run.readAhead(PAGE_2)).isSameAs(lost);
    }

    @Test
    void cancelling_stopsAPageStillBeingRead_asARunsEndDoes() {
        ImportRun run = new ImportRun(1, "import", PAGE_2);
        Future<SourcePage> ahead = new CompletableFuture<>();
        run.readingAhead(PAGE_2, ahead);

        run.cancelReadAhead();

        assertThat(ahead.isCancelled()).isTrue();
    }
}
