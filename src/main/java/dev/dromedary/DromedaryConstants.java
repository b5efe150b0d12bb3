package dev.dromedary;

/** Header and Exchange property names used on Dromedary's routes. */
public final class DromedaryConstants {
    /** Header on each operation batch of an export: insert, update or delete. The router's choice() reads it. */
    public static final String OPERATION = "DromedaryOperation";
    /** Header: the destination id of an export batch. */
    public static final String DESTINATION = "DromedaryDestination";
    /** Header: the source id of an import page. */
    public static final String SOURCE = "DromedarySource";
    /** Exchange property holding the run in progress (ImportRun or ExportRun). */
    public static final String RUN = "DromedaryRun";
    /** Exchange property: true while the run has more pages or batches. */
    public static final String MORE = "DromedaryMore";
    /**
     * Exchange property for import-&lt;source&gt;, set by run-&lt;source&gt; and --once: the model's exports may follow
     * this import page by page.
     */
    public static final String EXPORTS_FOLLOW = "DromedaryExportsFollow";
    /** Exchange property of an export started alongside an import: the import's progress, which it follows. */
    public static final String FOLLOWING = "DromedaryFollowing";

    private DromedaryConstants() {
    }
}
