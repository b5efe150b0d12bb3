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
}
