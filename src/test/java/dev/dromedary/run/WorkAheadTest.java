package dev.dromedary.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Work done ahead (an import's next page, an export's next plan) is used only by the step that starts where it did. */
class WorkAheadTest {
    @Test
    void theNextStep_takesTheWorkStartedFromItsPosition_once() throws Exception {
        WorkAhead<Long, String> ahead = new WorkAhead<>();
        ahead.start(700L, CompletableFuture.completedFuture("page from 700"));

        assertThat(ahead.started()).isTrue();
        assertThat(ahead.takeOrDo(700L, () -> "read here")).isEqualTo("page from 700");
        assertThat(ahead.started()).as("nothing waits to be taken any more").isFalse();
        assertThat(ahead.takeOrDo(700L, () -> "read here")).as("taken once").isEqualTo("read here");
    }

    @Test
    void aStepDoneAgainAfterAFailure_doesNotTakeTheWorkStartedAheadOfIt() throws Exception {
        // The step from 0 failed to commit: it starts from 0 again, not from where the work ahead began.
        WorkAhead<Long, String> ahead = new WorkAhead<>();
        Future<String> work = new CompletableFuture<>();
        ahead.start(700L, work);

        assertThat(ahead.takeOrDo(0L, () -> "page from 0, read here")).isEqualTo("page from 0, read here");
        assertThat(work.isCancelled()).isTrue();
    }

    @Test
    void failedWork_failsTheStepWithTheDatabasesOwnError() {
        WorkAhead<Long, String> ahead = new WorkAhead<>();
        SQLException lost = new SQLException("connection lost", "08006");
        ahead.start(700L, CompletableFuture.failedFuture(lost));

        assertThatThrownBy(() -> ahead.take(700L)).isSameAs(lost);
    }

    @Test
    void cancelling_stopsWorkStillUnderWay_asARunsEndDoes() {
        WorkAhead<Long, String> ahead = new WorkAhead<>();
        Future<String> work = new CompletableFuture<>();
        ahead.start(700L, work);

        ahead.cancel();

        assertThat(work.isCancelled()).isTrue();
        assertThat(ahead.started()).isFalse();
    }
}
