package dev.dromedary.config;

import dev.dromedary.app.AppConfig;
import java.util.List;
import java.util.Map;

/** Everything Dromedary runs from: Apps and store (application.properties) and the sync files (routes/). */
public record DromedaryConfig(Map<String, AppConfig> apps, StoreConfig store, List<SyncDefinition> syncs,
                              java.time.Duration maxCursorLag, ClusterConfig cluster) {

    public DromedaryConfig(Map<String, AppConfig> apps, StoreConfig store, List<SyncDefinition> syncs) {
        this(apps, store, syncs, null, ClusterConfig.off());
    }
}
