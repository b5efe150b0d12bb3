package dev.dromedary.config;

import dev.dromedary.destination.DestinationDefinition;
import dev.dromedary.destination.SyncMode;
import dev.dromedary.group.GroupDefinition;
import dev.dromedary.group.GroupOp;
import dev.dromedary.group.GroupRule;
import dev.dromedary.group.Match;
import dev.dromedary.record.ModelDefinition;
import dev.dromedary.record.PropertyType;
import dev.dromedary.source.Aggregation;
import dev.dromedary.source.Filter;
import dev.dromedary.source.FilterOp;
import dev.dromedary.source.Mapping;
import dev.dromedary.source.PropertyDefinition;
import dev.dromedary.source.ScheduleDefinition;
import dev.dromedary.source.SourceDefinition;
import dev.dromedary.source.SourceKind;
import java.io.Reader;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.quartz.CronExpression;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads one sync file (model, sources, groups, destinations) strictly, collecting every problem. */
public final class SyncFileReader {
    private final ConfigProblems problems;
    private final Function<String, String> placeholders;

    public SyncFileReader(ConfigProblems problems, Function<String, String> placeholders) {
        this.problems = problems;
        this.placeholders = placeholders;
    }

    /** The sync, or null when the file is not even a YAML mapping (the problem is recorded). */
    public SyncDefinition read(String file, String text) {
        Optional<Node> root;
        try (Reader reader = new StringReader(text)) {
            root = new Compose(LoadSettings.builder().setLabel(file).build()).composeReader(reader);
        } catch (MarkedYamlEngineException e) {
            String line = e.getProblemMark().map(m -> file + ":" + (m.getLine() + 1)).orElse(file);
            problems.add(line, null, "not valid YAML: " + e.getProblem());
            return null;
        } catch (Exception e) {
            problems.add(file, null, "cannot be read: " + e.getMessage());
            return null;
        }
        if (root.isEmpty() || !(root.get() instanceof MappingNode m)) {
            problems.add(file, null, "expected a mapping with model, sources, groups and destinations");
            return null;
        }
        ConfigNode top = new ConfigNode(file, "", m, problems, placeholders);
        ModelDefinition model = model(top);
        List<SourceDefinition> sources = new ArrayList<>();
        for (ConfigNode s : top.list("sources")) {
            sources.add(source(s));
        }
        if (sources.isEmpty()) {
            top.problem("sources", "at least one source is required");
        }
        List<GroupDefinition> groups = new ArrayList<>();
        for (ConfigNode g : top.list("groups")) {
            groups.add(group(g));
        }
        List<DestinationDefinition> destinations = new ArrayList<>();
        for (ConfigNode d : top.list("destinations")) {
            destinations.add(destination(d));
        }
        top.finish();
        return new SyncDefinition(file, model, sources, groups, destinations);
    }

    private ModelDefinition model(ConfigNode top) {
        ConfigNode m = top.child("model");
        if (m == null) {
            if (!top.has("model")) {
                top.problem("model", "is required: give the model's name and primaryKey property");
            }
            return new ModelDefinition(null, null);
        }
        ModelDefinition model = new ModelDefinition(m.requiredString("name"), m.requiredString("primaryKey"));
        m.finish();
        return model;
    }

    private SourceDefinition source(ConfigNode s) {
        String id = s.requiredString("id");
        SourceKind kind = s.enumValue("type", SourceKind.class, SourceKind.TABLE);
        String app = s.requiredString("app");
        String table = kind == SourceKind.TABLE ? s.requiredString("table") : s.string("table");
        if (kind == SourceKind.QUERY && table != null) {
            s.problem("table", "a query source has no table; its properties and schedule carry their own SQL");
        }
        Mapping mapping = null;
        ConfigNode mn = s.child("mapping");
        if (mn != null) {
            mapping = new Mapping(mn.requiredString("column"), mn.requiredString("property"));
            mn.finish();
        } else if (kind == SourceKind.TABLE) {
            s.problem("mapping", "is required: the column whose value identifies the record, and the property it is");
        }
        if (mapping != null && kind == SourceKind.QUERY) {
            s.problem("mapping", "a query source has no mapping: its schedule's property names what its keys are");
        }
        Boolean primary = s.has("primary") ? s.bool("primary", false) : null;
        List<PropertyDefinition> properties = new ArrayList<>();
        for (ConfigNode p : s.list("properties")) {
            properties.add(property(p, kind));
        }
        ScheduleDefinition schedule = null;
        ConfigNode sn = s.child("schedule");
        if (sn != null) {
            schedule = schedule(sn, kind);
        }
        s.finish();
        return new SourceDefinition(id, kind, app, table, mapping, primary, List.copyOf(properties), schedule);
    }

    private PropertyDefinition property(ConfigNode p, SourceKind kind) {
        String name = p.requiredString("name");
        PropertyType type = p.enumValue("type", PropertyType.class, PropertyType.STRING);
        String column = null;
        String query = null;
        Aggregation aggregation = Aggregation.EXACT;
        String sortColumn = null;
        List<Filter> filters = List.of();
        if (kind == SourceKind.TABLE) {
            column = p.requiredString("column");
            aggregation = p.enumValue("aggregation", Aggregation.class, Aggregation.EXACT);
            sortColumn = p.string("sortColumn");
            if ((aggregation == Aggregation.MOST_RECENT_VALUE || aggregation == Aggregation.LEAST_RECENT_VALUE)
                    && sortColumn == null && p.has("aggregation")) {
                p.problem("sortColumn", "is required with aggregation " + Enums.configName(aggregation));
            }
            filters = filters(p);
        } else {
            query = p.requiredRawString("query");
        }
        boolean array = p.bool("array", false);
        boolean unique = p.bool("unique", false);
        p.finish();
        return new PropertyDefinition(name, type, column, aggregation, sortColumn, array, unique, filters, query);
    }

    private List<Filter> filters(ConfigNode parent) {
        List<Filter> filters = new ArrayList<>();
        for (ConfigNode f : parent.list("filters")) {
            String column = f.requiredString("column");
            FilterOp op = f.enumValue("op", FilterOp.class, null);
            if (op == null && !f.has("op")) {
                f.problem("op", "is required; one of " + Enums.names(FilterOp.class));
            }
            String value = f.string("value");
            if (op != null && op.takesValue() && value == null) {
                f.problem("value", "is required with op " + Enums.configName(op));
            }
            f.finish();
            filters.add(new Filter(column, op, value));
        }
        return List.copyOf(filters);
    }

    private ScheduleDefinition schedule(ConfigNode s, SourceKind kind) {
        String column = kind == SourceKind.TABLE ? s.string("column") : null;
        boolean allowNullCursor = s.bool("allowNullCursor", false);
        Duration lookback = s.positiveDuration("lookback");
        if (lookback != null && column == null) {
            s.problem("lookback", "needs an incremental schedule (set column)");
        }
        Duration every = s.positiveDuration("every");
        String cron = s.string("cron");
        if (cron != null && !CronExpression.isValidExpression(cron)) {
            s.problem("cron", "'" + cron + "' is not a valid Quartz cron expression "
                    + "(seconds minutes hours day-of-month month day-of-week, e.g. '0 0/15 * * * ?')");
        }
        boolean once = s.bool("once", false);
        int when = (every != null ? 1 : 0) + (cron != null ? 1 : 0) + (once ? 1 : 0);
        if (when > 1) {
            s.problem("every", "give only one of every, cron and once");
        }
        if (when == 0 && !s.has("every") && !s.has("cron")) {
            s.problem("every", "a schedule needs one of every (e.g. 15m), cron or once: true");
        }
        int pageSize = s.positiveInt("pageSize", ScheduleDefinition.DEFAULT_PAGE_SIZE);
        List<Filter> filters = kind == SourceKind.TABLE ? filters(s) : List.of();
        boolean confirm = s.bool("confirmRecords", false);
        boolean refresh = s.bool("refresh", false);
        String query = null;
        String queryProperty = null;
        if (kind == SourceKind.QUERY) {
            query = s.requiredRawString("query");
            queryProperty = s.requiredString("property");
        }
        s.finish();
        return new ScheduleDefinition(column != null, column, allowNullCursor, lookback, every, cron, once, pageSize,
                filters, confirm, refresh, query, queryProperty);
    }

    private GroupDefinition group(ConfigNode g) {
        String name = g.requiredString("name");
        Match match = g.enumValue("match", Match.class, Match.ALL);
        List<GroupRule> rules = new ArrayList<>();
        for (ConfigNode r : g.list("rules")) {
            String property = r.requiredString("property");
            GroupOp op = r.enumValue("op", GroupOp.class, null);
            if (op == null && !r.has("op")) {
                r.problem("op", "is required; one of " + Enums.names(GroupOp.class));
            }
            String value = r.string("value");
            if (op != null && op != GroupOp.EXISTS && op != GroupOp.NOT_EXISTS && value == null) {
                r.problem("value", "is required with op " + Enums.configName(op));
            }
            r.finish();
            rules.add(new GroupRule(property, op, value, r.where("property") + ": " + r.path()));
        }
        if (rules.isEmpty()) {
            g.problem("rules", "a group needs at least one rule");
        }
        g.finish();
        return new GroupDefinition(name, match, List.copyOf(rules));
    }

    private DestinationDefinition destination(ConfigNode d) {
        String id = d.requiredString("id");
        String app = d.requiredString("app");
        String table = d.requiredString("table");
        String primaryKey = d.requiredString("primaryKey");
        var mappings = d.stringMap("mappings");
        if (primaryKey != null && !mappings.containsKey(primaryKey)) {
            d.problem("mappings", "must map the primary-key column '" + primaryKey + "' to a property");
        }
        SyncMode mode = d.enumValue("syncMode", SyncMode.class, SyncMode.SYNC);
        String trackedGroup = d.string("group");
        String groupsTable = d.string("groupsTable");
        String groupForeignKey = d.string("groupForeignKey");
        String groupColumnName = d.string("groupColumnName");
        var groups = d.stringMap("groups");
        if (groupsTable != null && (groupForeignKey == null || groupColumnName == null)) {
            d.problem("groupsTable", "needs groupForeignKey and groupColumnName as well");
        }
        if (!groups.isEmpty() && groupsTable == null) {
            d.problem("groups", "tracked groups need a groupsTable to be written to");
        }
        int batchSize = d.positiveInt("batchSize", DestinationDefinition.DEFAULT_BATCH_SIZE);
        d.finish();
        return new DestinationDefinition(id, app, table, primaryKey, mappings, mode, trackedGroup, groupsTable,
                groupForeignKey, groupColumnName, groups, batchSize);
    }
}
