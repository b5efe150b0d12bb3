package dev.dromedary.destination;

import java.util.HashSet;
import java.util.List;
import java.util.UUID;

/**
 * What one record in an export's window becomes for a destination (the table under "Plan" in
 * docs/architecture.md), decided from the record as it stands and what the destination last received for it.
 * No SQL here, so each case is tested on its own.
 */
final class RecordChange {
    private RecordChange() {
    }

    /**
     * What the destination last received for a record, from its {@code exports} row.
     * @param hash          null for a row written before V10, which is compared by its JSON instead
     * @param legacyChanged for such a row: whether its JSON differs from the record's mapped values
     */
    record LastExport(String key, UUID hash, List<String> groups, boolean legacyChanged) {
    }

    enum Kind {
        /** Nothing to write: the destination holds it already, or never had it and should not. */
        UNCHANGED,
        /** Its row goes (sync mode). */
        DELETE,
        /** Its row stays, as the sync mode says; counted as refused. */
        REFUSED,
        /** As REFUSED, and its group rows go. */
        REFUSED_CLEAR_GROUPS,
        /** It maps to no destination key: it fails, with its reason. */
        NO_KEY,
        INSERT,
        UPDATE,
        /** Its key changed in sync mode: the row under the old key goes, and it is written under the new one. */
        MOVE
    }

    /**
     * @param gone   deleted, or outside the destination's tracked group
     * @param last   null when the destination never received the record
     * @param key    the destination key it maps to now, null when that property has no value
     * @param hash   the hash of the column values it maps to now
     * @param groups the destination's names of its groups now
     */
    static Kind of(boolean gone, SyncMode mode, boolean groupsTable, LastExport last, String key, UUID hash,
                   List<String> groups) {
        if (gone) {
            if (last == null) {
                return Kind.UNCHANGED;
            }
            if (mode == SyncMode.SYNC) {
                return Kind.DELETE;
            }
            return groupsTable && !last.groups().isEmpty() ? Kind.REFUSED_CLEAR_GROUPS : Kind.REFUSED;
        }
        boolean valuesChanged = last == null || (last.hash() == null ? last.legacyChanged() : !last.hash().equals(hash));
        if (!valuesChanged && !groupNamesChanged(groupsTable, last, groups)) {
            return Kind.UNCHANGED;
        }
        if (key == null) {
            return Kind.NO_KEY;
        }
        if (last == null) {
            return Kind.INSERT;
        }
        return keyChanged(last, key) && mode == SyncMode.SYNC ? Kind.MOVE : Kind.UPDATE;
    }

    /** Whether a written record's group rows are written again: other names, a new record, or a new key. */
    static boolean groupRowsChange(boolean groupsTable, LastExport last, String key, List<String> groups) {
        return groupNamesChanged(groupsTable, last, groups) || last != null && keyChanged(last, key);
    }

    private static boolean groupNamesChanged(boolean groupsTable, LastExport last, List<String> groups) {
        return groupsTable && (last == null || !new HashSet<>(groups).equals(new HashSet<>(last.groups())));
    }

    private static boolean keyChanged(LastExport last, String key) {
        return last.key() != null && !last.key().equals(key);
    }
}
