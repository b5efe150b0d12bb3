package dev.dromedary.config;

import dev.dromedary.destination.DestinationDefinition;
import dev.dromedary.group.GroupDefinition;
import dev.dromedary.record.ModelDefinition;
import dev.dromedary.source.SourceDefinition;
import java.util.List;

/** One sync file: a model, its sources, its groups and its destinations. */
public record SyncDefinition(
        String file,
        ModelDefinition model,
        List<SourceDefinition> sources,
        List<GroupDefinition> groups,
        List<DestinationDefinition> destinations) {

    /**
     * The model's primary source, which creates records: the only source mapping to the primary-key property,
     * or, when several do (e.g. purchases.user_id → userId), the one marked {@code primary: true}. Null when
     * that is ambiguous (the validator reports it).
     */
    public SourceDefinition primarySource() {
        List<SourceDefinition> candidates = sources.stream().filter(s -> s.mapsTo(model.primaryKey())).toList();
        if (candidates.size() == 1 && !Boolean.FALSE.equals(candidates.get(0).primary())) {
            return candidates.get(0);
        }
        List<SourceDefinition> marked = candidates.stream().filter(s -> Boolean.TRUE.equals(s.primary())).toList();
        return marked.size() == 1 ? marked.get(0) : null;
    }

    /** Every property of the model with its type: the primary key (a string) and each source's properties. */
    public java.util.Map<String, dev.dromedary.group.GroupEvaluator.PropertyShape> propertyShapes() {
        java.util.Map<String, dev.dromedary.group.GroupEvaluator.PropertyShape> shapes = new java.util.LinkedHashMap<>();
        if (model.primaryKey() != null) {
            shapes.put(model.primaryKey(), new dev.dromedary.group.GroupEvaluator.PropertyShape(
                    dev.dromedary.record.PropertyType.STRING, false));
        }
        for (SourceDefinition s : sources) {
            for (var p : s.properties()) {
                if (p.name() != null) {
                    shapes.putIfAbsent(p.name(), new dev.dromedary.group.GroupEvaluator.PropertyShape(p.type(), p.array()));
                }
            }
        }
        return shapes;
    }

    public boolean isPrimary(SourceDefinition source) {
        return primarySource() == source;
    }
}
