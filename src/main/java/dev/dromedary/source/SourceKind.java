package dev.dromedary.source;

public enum SourceKind {
    TABLE, QUERY
}
