package dev.dromedary.source;

import dev.dromedary.sql.Identifiers;
import dev.dromedary.record.RecordStore;
import dev.dromedary.record.RecordWriter;
import dev.dromedary.run.Errors;
import dev.dromedary.run.RunGate;
import dev.dromedary.run.RunHistory;
import dev.dromedary.run.RunLocks;
import dev.dromedary.sql.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a query source: its schedule query names the keys of records to refresh; each query property is
 * evaluated for a whole page of those records in one statement, in a READ ONLY transaction, with the records'
 * properties bound as its template variables. A primary query source also creates records.
 */
public final class QueryImport implements SourceImport {
    private static final Logger LOG = LoggerFactory.getLogger(QueryImport.class);

    private final SourceDefinition source;
    private final DataSource sourceData;
    private final RecordStore store;
    private final String model;
    private final String primaryKeyProperty;
    private final boolean primary;
    private final QueryKeys keys;
    private final List<QueryProperty> properties;
    private final List<String> variables;
    private final RecordWriter writer;
    private final EnrichQueue queue;
    private final RunHistory runs;
    private final RunGate gate;

    public QueryImport(SourceDefinition source, boolean primary, DataSource sourceData, RecordStore store, String model,
                       String primaryKeyProperty, QueryKeys keys, List<QueryProperty> properties,
                       RecordWriter writer, EnrichQueue queue, RunHistory runs, RunLocks locks) {
        this.source = source;
        this.primary = primary;
        this.sourceData = sourceData;
        this.store = store;
        this.model = model;
        this.primaryKeyProperty = primaryKeyProperty;
        this.keys = keys;
        this.properties = properties;
        this.writer = writer;
        this.queue = queue;
        this.runs = runs;
        this.gate = new RunGate(locks, "import", source.id());
        LinkedHashSet<String> vars = new LinkedHashSet<>();
        properties.forEach(p -> vars.addAll(p.variables()));
        this.variables = List.copyOf(vars);
    }

    @Override
    public String id() {
        return source.id();
    }

    @Override
    public boolean isPrimary() {
        return primary;
    }

    @Override
    public ImportRun begin() throws SQLException, InterruptedException {
        return gate.open(() -> new ImportRun(runs.start("import", source.id()), "import", Cursor.START));
    }

    @Override
    public SourcePage read(ImportRun run) throws SQLException {
        gate.verify(run.runId);
        int pageSize = source.schedule().pageSize();
        List<String> page;
        try (Connection c = sourceData.getConnection()) {
            page = keys.page(c, run.cursor.key(), pageSize);
        }
        String last = page.isEmpty() ? run.cursor.key() : page.get(page.size() - 1);
        // The records these keys name: the keys themselves for a primary source, else those holding the value.
        Map<String, String[]> records = recordVariables(page, !primary);
        if (primary) {
            for (String k : page) {
                records.computeIfAbsent(k, key -> new String[variables.size()]);
            }
        }
        SourcePage evaluated = evaluate(records, page.size());
        return new SourcePage(evaluated.rows(), page.size(), 0, new Cursor(null, last), page.size() == pageSize);
    }

    /** Record key → its values of the template variables, for records with the given keys (or key property). */
    private Map<String, String[]> recordVariables(List<String> keyValues, boolean byKeyProperty) throws SQLException {
        Map<String, String[]> out = new LinkedHashMap<>();
        if (keyValues.isEmpty()) {
            return out;
        }
        String keyProperty = source.schedule().queryProperty();
        String match = !byKeyProperty || keyProperty.equals(primaryKeyProperty) ? "r.pk"
                : "r.properties ->> " + Identifiers.literal(keyProperty);
        StringBuilder sql = new StringBuilder("SELECT r.pk");
        for (String v : variables) {
            sql.append(", r.properties ->> ").append(Identifiers.literal(v));
        }
        sql.append(" FROM ").append(store.table("records")).append(" r WHERE r.model = ? AND r.deleted_at IS NULL AND ")
                .append(match).append(" = ANY(?)");
        try (Connection c = store.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            ps.setString(1, model);
            ps.setArray(2, c.createArrayOf("text", keyValues.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] v = new String[variables.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = rs.getString(2 + i);
                    }
                    out.put(rs.getString(1), v);
                }
            }
        }
        return out;
    }

    /** Evaluates every query property for these records; a record missing a variable gets no value for it. */
    private SourcePage evaluate(Map<String, String[]> records, int read) throws SQLException {
        int width = source.properties().size();
        Map<String, Object[]> raw = new LinkedHashMap<>();
        records.keySet().forEach(k -> raw.put(k, new Object[width]));
        if (!records.isEmpty()) {
            try (Connection c = sourceData.getConnection()) {
                c.setAutoCommit(false);
                c.setReadOnly(true);
                try {
                    for (int p = 0; p < properties.size(); p++) {
                        QueryProperty q = properties.get(p);
                        List<String> keysWithValues = new ArrayList<>();
                        List<String[]> values = new ArrayList<>();
                        for (Map.Entry<String, String[]> e : records.entrySet()) {
                            String[] v = new String[q.variables().size()];
                            boolean complete = true;
                            for (int i = 0; i < v.length; i++) {
                                String var = q.variables().get(i);
                                v[i] = var.equals(primaryKeyProperty) ? e.getKey() : e.getValue()[variables.indexOf(var)];
                                complete &= v[i] != null;
                            }
                            if (complete) {
                                keysWithValues.add(e.getKey());
                                values.add(v);
                            }
                        }
                        int slot = p;
                        q.evaluate(c, keysWithValues, values).forEach((k, v) -> raw.get(k)[slot] = v);
                    }
                } finally {
                    Transactions.endReadOnly(c);
                }
            }
        }
        List<SourcePage.Row> rows = new ArrayList<>();
        raw.forEach((k, v) -> rows.add(RowConverter.convert(source.properties(), k, v)));
        return new SourcePage(rows, read, 0, null, false);
    }

    @Override
    public void store(ImportRun run, SourcePage page) throws SQLException {
        var w = writer.write(page, null, null);
        run.cursor = page.last();
        run.more = page.more();
        run.counts.rowsRead += page.rowsRead();
        run.counts.recordsCreated += w.created();
        run.counts.recordsUpdated += w.updated();
    }

    @Override
    public void confirm(ImportRun run) {
        // Query sources do not delete records: their keys come from a window of recent changes.
    }

    @Override
    public ImportRun beginEnrich() throws SQLException, InterruptedException {
        return gate.open(() -> new ImportRun(runs.start("import", RunHistory.enrichName(source.id())), "enrich", Cursor.START));
    }

    @Override
    public void enrichBatch(ImportRun run) throws SQLException {
        gate.verify(run.runId);
        EnrichQueue.Batch batch = queue.next(source.schedule().pageSize());
        SourcePage page = evaluate(recordVariables(batch.recordKeys(), false), batch.recordKeys().size());
        var w = writer.write(page, null, c -> queue.remove(c, batch.recordKeys()));
        run.more = batch.recordKeys().size() == source.schedule().pageSize();
        run.counts.rowsRead += page.rowsRead();
        run.counts.recordsUpdated += w.updated();
    }

    @Override
    public void finish(ImportRun run, Throwable error) throws SQLException {
        if (run == null) {
            LOG.error("Import {} could not start: {}", source.id(), Errors.describe(error));
            return;
        }
        if (!run.end(runs, gate, error)) {
            return;
        }
        if (error == null) {
            LOG.info("Import {} succeeded: {} keys, {} records created, {} updated", source.id(), run.counts.rowsRead,
                    run.counts.recordsCreated, run.counts.recordsUpdated);
        } else {
            LOG.error("Import {} failed: {}", source.id(), Errors.describe(error));
        }
    }
}
