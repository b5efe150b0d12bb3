package dev.dromedary.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shipped route files cannot rot: every sync file reads and validates cleanly, every Camel file parses. */
class RoutesFolderTest {
    private static List<Path> files(String glob) throws Exception {
        var matcher = java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob);
        try (Stream<Path> s = Files.walk(Path.of("routes"))) {
            return s.filter(p -> matcher.matches(p.getFileName())).sorted().toList();
        }
    }

    @Test
    void everySyncFile_readsAndValidatesWithoutProblems() throws Exception {
        List<Path> syncs = files("*.sync.yaml");
        assertThat(syncs).hasSizeGreaterThanOrEqualTo(2);
        for (Path f : syncs) {
            ConfigProblems problems = new ConfigProblems();
            SyncDefinition sync = new SyncFileReader(problems, Function.identity()).read(f.toString(), Files.readString(f));
            Map<String, String> apps = new java.util.HashMap<>();
            sync.sources().forEach(s -> apps.put("dromedary.apps." + s.app() + ".database", "x"));
            sync.destinations().forEach(d -> apps.put("dromedary.apps." + d.app() + ".database", "x"));
            sync.sources().stream().filter(s -> s.schedule() != null && s.schedule().refresh())
                    .forEach(s -> apps.put("dromedary.apps." + s.app() + ".refresh-query", "SELECT 1"));
            apps.put("dromedary.store.app", sync.sources().get(0).app());
            var props = new ApplicationPropertiesReader(apps, k -> "application.properties", problems);
            new ConfigValidator(problems).validate(new DromedaryConfig(props.apps(), props.store(), List.of(sync)));
            assertThat(problems.all()).as(f.toString()).isEmpty();
        }
    }

    @Test
    void everyCamelRouteFile_isYaml() throws Exception {
        for (Path f : files("*.camel.yaml")) {
            Object doc = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                    .loadFromString(Files.readString(f));
            assertThat(doc).as(f.toString()).isInstanceOf(List.class);
        }
    }
}
