package dev.dromedary.destination;

import static dev.dromedary.destination.RecordChange.Kind.DELETE;
import static dev.dromedary.destination.RecordChange.Kind.INSERT;
import static dev.dromedary.destination.RecordChange.Kind.MOVE;
import static dev.dromedary.destination.RecordChange.Kind.NO_KEY;
import static dev.dromedary.destination.RecordChange.Kind.REFUSED;
import static dev.dromedary.destination.RecordChange.Kind.REFUSED_CLEAR_GROUPS;
import static dev.dromedary.destination.RecordChange.Kind.UNCHANGED;
import static dev.dromedary.destination.RecordChange.Kind.UPDATE;
import static dev.dromedary.destination.SyncMode.ADDITIVE;
import static dev.dromedary.destination.SyncMode.ENRICH;
import static dev.dromedary.destination.SyncMode.SYNC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.destination.RecordChange.LastExport;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The plan's table (docs/architecture.md, "Export"), one line at a time. */
class RecordChangeTest {
    private static final UUID ADA = new ValuesHash().of(new String[] {"1", "Ada"});
    private static final UUID GRACE = new ValuesHash().of(new String[] {"1", "Grace"});
    private static final LastExport SENT_ADA_VIP = new LastExport("1", ADA, List.of("VIP"), false);

    @Test
    void aRecordThatIsGone_isDeletedInSyncMode_refusedOtherwise_andSkippedIfNeverSent() {
        assertThat(RecordChange.of(true, SYNC, true, null, "1", ADA, List.of())).isEqualTo(UNCHANGED);
        assertThat(RecordChange.of(true, SYNC, true, SENT_ADA_VIP, "1", ADA, List.of())).isEqualTo(DELETE);
        assertThat(RecordChange.of(true, ADDITIVE, true, SENT_ADA_VIP, "1", ADA, List.of())).isEqualTo(REFUSED_CLEAR_GROUPS);
        assertThat(RecordChange.of(true, ENRICH, false, SENT_ADA_VIP, "1", ADA, List.of())).as("no groups table")
                .isEqualTo(REFUSED);
        assertThat(RecordChange.of(true, ADDITIVE, true, new LastExport("1", ADA, List.of(), false), "1", ADA, List.of()))
                .as("no group rows to clear").isEqualTo(REFUSED);
    }

    @Test
    void sameValuesAndGroupNames_areUnchanged_whateverTheirOrder() {
        LastExport two = new LastExport("1", ADA, List.of("VIP", "Senior"), false);
        assertThat(RecordChange.of(false, SYNC, true, two, "1", ADA, List.of("Senior", "VIP"))).isEqualTo(UNCHANGED);
        assertThat(RecordChange.of(false, SYNC, true, SENT_ADA_VIP, "1", GRACE, List.of("VIP"))).isEqualTo(UPDATE);
        assertThat(RecordChange.of(false, SYNC, true, SENT_ADA_VIP, "1", ADA, List.of())).isEqualTo(UPDATE);
        assertThat(RecordChange.of(false, SYNC, false, SENT_ADA_VIP, "1", ADA, List.of())).as("groups not exported")
                .isEqualTo(UNCHANGED);
    }

    @Test
    void aRowFromBeforeV10_isComparedByWhatItsJsonSaid() {
        assertThat(RecordChange.of(false, SYNC, false, new LastExport("1", null, List.of(), false), "1", ADA, List.of()))
                .isEqualTo(UNCHANGED);
        assertThat(RecordChange.of(false, SYNC, false, new LastExport("1", null, List.of(), true), "1", ADA, List.of()))
                .isEqualTo(UPDATE);
    }

    @Test
    void newRecords_areInserted_unlessTheyHaveNoKey() {
        assertThat(RecordChange.of(false, ENRICH, true, null, "1", ADA, List.of())).isEqualTo(INSERT);
        assertThat(RecordChange.of(false, SYNC, true, null, null, ADA, List.of())).isEqualTo(NO_KEY);
        assertThat(RecordChange.groupRowsChange(true, null, "1", List.of())).as("a new row gets its group rows").isTrue();
    }

    @Test
    void aNewKey_movesTheRowInSyncMode_andRewritesGroupRowsInEveryMode() {
        assertThat(RecordChange.of(false, SYNC, true, SENT_ADA_VIP, "2", GRACE, List.of("VIP"))).isEqualTo(MOVE);
        assertThat(RecordChange.of(false, ADDITIVE, true, SENT_ADA_VIP, "2", GRACE, List.of("VIP"))).isEqualTo(UPDATE);
        assertThat(RecordChange.groupRowsChange(true, SENT_ADA_VIP, "2", List.of("VIP"))).isTrue();
        assertThat(RecordChange.groupRowsChange(true, SENT_ADA_VIP, "1", List.of("VIP"))).as("same key, same names")
                .isFalse();
    }
}
