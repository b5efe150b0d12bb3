package dev.dromedary.source;

import java.sql.SQLException;

/** What the import routes drive, for table and query sources alike. */
public interface SourceImport {
    String id();

    /** Whether this source creates the model's records (otherwise it only adds properties to them). */
    boolean isPrimary();

    ImportRun begin() throws SQLException, InterruptedException;

    SourcePage read(ImportRun run) throws SQLException;

    /** Commits the page's records and, with them, the cursor past the page. */
    void store(ImportRun run, SourcePage page) throws SQLException;

    /** After the pages: records whose source row is gone are deleted (primary table sources). */
    void confirm(ImportRun run) throws SQLException;

    ImportRun beginEnrich() throws SQLException, InterruptedException;

    /** One batch of records waiting for this source's properties. */
    void enrichBatch(ImportRun run) throws SQLException;

    void finish(ImportRun run, Throwable error) throws SQLException;
}
