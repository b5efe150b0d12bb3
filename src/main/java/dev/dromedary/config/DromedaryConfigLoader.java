package dev.dromedary.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.OrderedLocationProperties;

/**
 * Builds a {@link DromedaryConfig} from a CamelContext's properties (so {{env:NAME}} and every other Camel
 * placeholder works) and the sync files they point at. Every problem is collected and thrown together.
 */
public final class DromedaryConfigLoader {
    private DromedaryConfigLoader() {
    }

    public static DromedaryConfig load(CamelContext context) {
        ConfigProblems problems = new ConfigProblems();
        PropertiesComponent pc = context.getPropertiesComponent();
        Properties raw = pc.loadProperties(k -> k.startsWith(ApplicationPropertiesReader.PREFIX));
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : raw.stringPropertyNames()) {
            try {
                String value = pc.resolveProperty(key).orElse(raw.getProperty(key));
                if (value != null && value.contains("{{")) {
                    // An unresolvable placeholder (e.g. an unset environment variable) must not become a value.
                    problems.add(location(raw, key), key, "placeholder in '" + raw.getProperty(key)
                            + "' cannot be resolved (is the environment variable or property set?)");
                    continue;
                }
                values.put(key, value);
            } catch (RuntimeException e) {
                problems.add(location(raw, key), key, "cannot resolve its value: " + e.getMessage());
            }
        }
        ApplicationPropertiesReader props = new ApplicationPropertiesReader(values, k -> location(raw, k), problems);
        var apps = props.apps();
        var store = props.store();
        List<SyncDefinition> syncs = readSyncFiles(props.syncFiles(), problems, context::resolvePropertyPlaceholders);
        DromedaryConfig config = new DromedaryConfig(apps, store, syncs, props.maxCursorLag(), props.cluster());
        if (problems.isEmpty()) {
            new ConfigValidator(problems).validate(config);
        }
        problems.throwIfAny();
        return config;
    }

    /**
     * For embedding: reads the dromedary.* keys of a properties file of Dromedary's own (not the host's
     * application.properties), resolving placeholders such as {{env:NAME}} through the host context.
     */
    public static DromedaryConfig load(CamelContext context, Path propertiesFile) {
        ConfigProblems problems = new ConfigProblems();
        Properties raw = new Properties();
        try (var in = Files.newBufferedReader(propertiesFile)) {
            raw.load(in);
        } catch (IOException e) {
            problems.add(propertiesFile.toString(), null, "cannot be read: " + e.getMessage());
            problems.throwIfAny();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : raw.stringPropertyNames()) {
            if (!key.startsWith(ApplicationPropertiesReader.PREFIX)) {
                continue;
            }
            try {
                String value = context.resolvePropertyPlaceholders(raw.getProperty(key));
                if (value != null && value.contains("{{")) {
                    problems.add(propertiesFile.toString(), key, "placeholder cannot be resolved");
                    continue;
                }
                values.put(key, value);
            } catch (RuntimeException e) {
                problems.add(propertiesFile.toString(), key, "cannot resolve its value: " + e.getMessage());
            }
        }
        ApplicationPropertiesReader props = new ApplicationPropertiesReader(values, k -> propertiesFile.toString(),
                problems);
        var apps = props.apps();
        var store = props.store();
        // Relative sync-file patterns are taken from the properties file's folder.
        String pattern = props.syncFiles();
        Path base = propertiesFile.toAbsolutePath().getParent();
        StringBuilder resolved = new StringBuilder();
        for (String p : pattern.split(",")) {
            Path path = Path.of(p.trim());
            resolved.append(resolved.length() == 0 ? "" : ",").append(path.isAbsolute() ? path : base.resolve(path));
        }
        List<SyncDefinition> syncs = readSyncFiles(resolved.toString(), problems, context::resolvePropertyPlaceholders);
        DromedaryConfig config = new DromedaryConfig(apps, store, syncs, props.maxCursorLag(), props.cluster());
        if (problems.isEmpty()) {
            new ConfigValidator(problems).validate(config);
        }
        problems.throwIfAny();
        return config;
    }

    private static String location(Properties raw, String key) {
        if (raw instanceof OrderedLocationProperties olp) {
            String loc = olp.getLocation(key);
            if (loc != null) {
                return loc.replaceFirst("^file:", "");
            }
        }
        return "application.properties";
    }

    /** Reads every file matching a glob such as routes/*.sync.yaml (relative to the working directory). */
    static List<SyncDefinition> readSyncFiles(String glob, ConfigProblems problems,
                                              java.util.function.Function<String, String> placeholders) {
        List<SyncDefinition> syncs = new ArrayList<>();
        SyncFileReader reader = new SyncFileReader(problems, placeholders);
        for (String pattern : glob.split(",")) {
            List<Path> files = matching(pattern.trim());
            if (files.isEmpty()) {
                problems.add(null, ApplicationPropertiesReader.SYNC_FILES, "no sync file matches '" + pattern.trim()
                        + "' (working directory " + Path.of("").toAbsolutePath() + ")");
            }
            for (Path f : files) {
                try {
                    SyncDefinition sync = reader.read(f.toString(), Files.readString(f));
                    if (sync != null) {
                        syncs.add(sync);
                    }
                } catch (IOException e) {
                    problems.add(f.toString(), null, "cannot be read: " + e.getMessage());
                }
            }
        }
        return syncs;
    }

    private static List<Path> matching(String pattern) {
        Path p = Path.of(pattern);
        Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> matcher.matches(f.getFileName())).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
