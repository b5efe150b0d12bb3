package dev.dromedary.config;

import dev.dromedary.app.AppConfig;
import dev.dromedary.destination.DestinationDefinition;
import dev.dromedary.source.PropertyDefinition;
import dev.dromedary.source.SourceDefinition;
import dev.dromedary.source.SourceKind;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cross-element checks that need the whole configuration but no database: references between Apps, models,
 * sources, properties, groups and destinations.
 */
public final class ConfigValidator {
    private final ConfigProblems problems;

    public ConfigValidator(ConfigProblems problems) {
        this.problems = problems;
    }

    public void validate(DromedaryConfig config) {
        Map<String, AppConfig> apps = config.apps();
        if (!apps.containsKey(config.store().app())) {
            problems.add(null, "dromedary.store.app", "App '" + config.store().app()
                    + "' holds the record store but is not defined; define dromedary.apps." + config.store().app()
                    + ".database or point dromedary.store.app at one of " + apps.keySet());
        }
        Set<String> models = new HashSet<>();
        Set<String> sourceIds = new HashSet<>();
        Set<String> destinationIds = new HashSet<>();
        for (SyncDefinition sync : config.syncs()) {
            String file = sync.file();
            String model = sync.model().name();
            if (model != null && !models.add(model)) {
                problems.add(file, "model.name", "model '" + model + "' is defined in more than one sync file");
            }
            Map<String, PropertyDefinition> properties = new HashMap<>();
            SourceDefinition primarySource = sync.primarySource();
            List<SourceDefinition> mappedToKey = sync.sources().stream()
                    .filter(s -> s.mapsTo(sync.model().primaryKey())).toList();
            for (SourceDefinition s : sync.sources()) {
                String el = "source '" + s.id() + "'";
                if (s.id() != null && !sourceIds.add(s.id())) {
                    problems.add(file, el, "source id is used more than once");
                }
                if (s.id() != null && s.id().contains(":")) {
                    // Run history names a source's properties step "<id>:enrich".
                    problems.add(file, el + ".id", "must not contain ':'");
                }
                if (s.app() != null && !apps.containsKey(s.app())) {
                    problems.add(file, el + ".app", "unknown App '" + s.app() + "'; defined Apps: " + apps.keySet());
                }
                if (s.schedule() == null) {
                    problems.add(file, el + ".schedule", "is required: when and how to read this source");
                }
                if (Boolean.TRUE.equals(s.primary()) && !s.mapsTo(sync.model().primaryKey())) {
                    problems.add(file, el + ".primary", "a primary source maps its column to the model's primary-key "
                            + "property '" + sync.model().primaryKey() + "'");
                }
                if (s.mapping() != null && s.mapping().property() != null && s != primarySource
                        && !s.mapsTo(sync.model().primaryKey()) && !declaresProperty(sync, s.mapping().property())) {
                    problems.add(file, el + ".mapping.property", "unknown property '" + s.mapping().property()
                            + "': a secondary source maps to a property owned by another source of model '" + model + "'");
                }
                for (PropertyDefinition p : s.properties()) {
                    if (p.name() == null) {
                        continue;
                    }
                    if (p.name().equals(sync.model().primaryKey()) || properties.put(p.name(), p) != null) {
                        problems.add(file, el + ".properties." + p.name(), "property '" + p.name()
                                + "' is defined more than once in model '" + model + "'");
                    }
                }
            }
            if (sync.model().primaryKey() != null && primarySource == null) {
                problems.add(file, "model.primaryKey", mappedToKey.isEmpty()
                        ? "no source maps a column to the primary-key property '" + sync.model().primaryKey()
                          + "'; the primary source needs mapping.property: " + sync.model().primaryKey()
                        : "sources " + mappedToKey.stream().map(SourceDefinition::id).toList() + " all map to the "
                          + "primary-key property '" + sync.model().primaryKey() + "': mark the one that creates "
                          + "records with primary: true");
            }
            for (DestinationDefinition d : sync.destinations()) {
                String el = "destination '" + d.id() + "'";
                if (d.id() != null && !destinationIds.add(d.id())) {
                    problems.add(file, el, "destination id is used more than once");
                }
                if (d.app() != null && !apps.containsKey(d.app())) {
                    problems.add(file, el + ".app", "unknown App '" + d.app() + "'; defined Apps: " + apps.keySet());
                }
                d.mappings().forEach((column, property) -> {
                    if (!property.equals(sync.model().primaryKey()) && !properties.containsKey(property)) {
                        problems.add(file, el + ".mappings." + column, "unknown property '" + property + "' of model '"
                                + model + "'; known: " + knownProperties(sync, properties.keySet()));
                    } else if (properties.containsKey(property) && properties.get(property).array()) {
                        problems.add(file, el + ".mappings." + column, "property '" + property
                                + "' is an array and cannot be exported to a column");
                    }
                });
            }
            sourcesAndGroups(sync);
            meaningless(sync, apps);
        }
    }

    private static boolean declaresProperty(SyncDefinition sync, String name) {
        return sync.sources().stream().flatMap(s -> s.properties().stream()).anyMatch(p -> name.equals(p.name()));
    }

    private static List<String> knownProperties(SyncDefinition sync, Set<String> names) {
        var all = new java.util.TreeSet<>(names);
        if (sync.model().primaryKey() != null) {
            all.add(sync.model().primaryKey());
        }
        return List.copyOf(all);
    }

    /** Query sources' templates; groups' rules; destinations' tracked group and group names. */
    private void sourcesAndGroups(SyncDefinition sync) {
        String file = sync.file();
        for (SourceDefinition s : sync.sources()) {
            if (s.kind() == SourceKind.QUERY) {
                querySource(sync, s);
            }
            joinProperty(sync, s);
        }
        dev.dromedary.group.GroupValidator.validate(file, sync.groups(), sync.propertyShapes(), problems);
        java.util.Set<String> groupNames = new java.util.HashSet<>();
        sync.groups().forEach(g -> groupNames.add(g.name()));
        for (DestinationDefinition d : sync.destinations()) {
            String el = "destination '" + d.id() + "'";
            if (d.trackedGroup() != null && !groupNames.contains(d.trackedGroup())) {
                problems.add(file, el + ".group", "unknown group '" + d.trackedGroup() + "'; the model's groups: "
                        + new java.util.TreeSet<>(groupNames));
            }
            d.groups().keySet().stream().filter(g -> !groupNames.contains(g)).forEach(g -> problems.add(file,
                    el + ".groups." + g, "unknown group '" + g + "'; the model's groups: " + new java.util.TreeSet<>(groupNames)));
        }
    }

    /** A secondary table source matches records on its property's text: only text-like types compare right. */
    private void joinProperty(SyncDefinition sync, SourceDefinition s) {
        if (s.kind() != SourceKind.TABLE || sync.isPrimary(s) || s.mapping() == null || s.mapping().property() == null) {
            return;
        }
        var shape = sync.propertyShapes().get(s.mapping().property());
        if (shape != null && (shape.array() || !java.util.Set.of(dev.dromedary.record.PropertyType.STRING,
                dev.dromedary.record.PropertyType.INTEGER, dev.dromedary.record.PropertyType.EMAIL,
                dev.dromedary.record.PropertyType.URL).contains(shape.type()))) {
            problems.add(sync.file(), "source '" + s.id() + "'.mapping.property", "a secondary source joins through a "
                    + "string, email, url or integer property; '" + s.mapping().property() + "' is "
                    + (shape.array() ? "an array" : Enums.configName(shape.type())));
        }
    }

    /** A query source's templates and key property must name properties of the model. */
    private void querySource(SyncDefinition sync, SourceDefinition s) {
        String el = "source '" + s.id() + "'";
        var shapes = sync.propertyShapes();
        if (s.schedule() != null && s.schedule().queryProperty() != null && !shapes.containsKey(s.schedule().queryProperty())) {
            problems.add(sync.file(), el + ".schedule.property", "unknown property '" + s.schedule().queryProperty()
                    + "'; the model's properties: " + new java.util.TreeSet<>(shapes.keySet()));
        }
        for (PropertyDefinition p : s.properties()) {
            if (p.query() == null) {
                continue;
            }
            for (String v : new dev.dromedary.source.QueryTemplate(p.query()).variables()) {
                if (!shapes.containsKey(v)) {
                    problems.add(sync.file(), el + ".properties." + p.name() + ".query", "unknown variable {{ " + v
                            + " }}: not a property of model '" + sync.model().name() + "'");
                }
            }
        }
    }

    /** Options that only mean something together: one without the other would be silently ignored. */
    private void meaningless(SyncDefinition sync, Map<String, AppConfig> apps) {
        String file = sync.file();
        for (SourceDefinition s : sync.sources()) {
            String el = "source '" + s.id() + "'";
            for (PropertyDefinition p : s.properties()) {
                String pel = el + ".properties." + p.name();
                if (p.array() && p.aggregation() != dev.dromedary.source.Aggregation.EXACT) {
                    problems.add(file, pel + ".array", "an array property holds every row's value: its aggregation "
                            + "must be exact");
                }
                if (p.sortColumn() != null && p.aggregation() != dev.dromedary.source.Aggregation.MOST_RECENT_VALUE
                        && p.aggregation() != dev.dromedary.source.Aggregation.LEAST_RECENT_VALUE && !p.array()) {
                    problems.add(file, pel + ".sortColumn", "only mostRecentValue, leastRecentValue and array "
                            + "properties use a sortColumn");
                }
                filterValues(file, pel, p.filters());
            }
            var sc = s.schedule();
            if (sc != null && sc.refresh() && s.app() != null && apps != null && apps.containsKey(s.app())
                    && apps.get(s.app()).refreshQuery() == null) {
                problems.add(file, el + ".schedule.refresh", "App '" + s.app() + "' has no refresh query: set "
                        + "dromedary.apps." + s.app() + ".refresh-query (e.g. SELECT max(updated_at) FROM users)");
            }
            if (sc != null && sc.confirmRecords() && s.kind() == SourceKind.QUERY) {
                problems.add(file, el + ".schedule.confirmRecords", "query sources never delete records: their "
                        + "schedule query names a window of keys, not every record");
            } else if (sc != null && sc.confirmRecords() && !sync.isPrimary(s)) {
                problems.add(file, el + ".schedule.confirmRecords", "only the model's primary source creates and "
                        + "deletes records");
            }
            if (sc != null) {
                if (sc.allowNullCursor() && !sc.incremental()) {
                    problems.add(file, el + ".schedule.allowNullCursor", "only an incremental schedule (with column) "
                            + "has a cursor column");
                }
                filterValues(file, el + ".schedule", sc.filters());
            }
        }
        for (DestinationDefinition d : sync.destinations()) {
            if (d.groupsTable() == null && (d.groupForeignKey() != null || d.groupColumnName() != null)) {
                problems.add(file, "destination '" + d.id() + "'.groupsTable", "groupForeignKey and groupColumnName "
                        + "describe the groups table: set groupsTable too");
            }
        }
    }

    private void filterValues(String file, String element, List<dev.dromedary.source.Filter> filters) {
        for (int i = 0; i < filters.size(); i++) {
            var f = filters.get(i);
            if (f.op() != null && !f.op().takesValue() && f.value() != null) {
                problems.add(file, element + ".filters[" + i + "].value", "op " + dev.dromedary.config.Enums.configName(f.op())
                        + " takes no value");
            }
        }
    }
}
