package dev.dromedary.destination;

/** What a destination may do: sync inserts, updates and deletes; additive never deletes; enrich only updates. */
public enum SyncMode {
    SYNC, ADDITIVE, ENRICH
}
