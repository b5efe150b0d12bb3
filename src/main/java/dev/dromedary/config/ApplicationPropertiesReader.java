package dev.dromedary.config;

import dev.dromedary.app.AppConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Reads the {@code dromedary.*} keys of application.properties (already placeholder-resolved): Apps, the record
 * store, and where the sync files are. Unknown keys are errors naming the key and the file.
 */
public final class ApplicationPropertiesReader {
    public static final String PREFIX = "dromedary.";
    public static final String SYNC_FILES = "dromedary.sync-files";
    public static final String DEFAULT_SYNC_FILES = "routes/*.sync.yaml";
    public static final String MAX_CURSOR_LAG = "dromedary.health.max-cursor-lag";
    public static final String CLUSTER = "dromedary.cluster.";
    static final Set<String> CLUSTER_OPTIONS = Set.of("enabled", "node-id", "checkin-interval", "threads");

    static final Set<String> APP_OPTIONS = Set.of("host", "port", "database", "schema", "user", "password",
            "password-file", "ssl", "ssl-certificate", "ssl-key", "ssl-certificate-authority", "pool-size",
            "connect-timeout", "statement-timeout", "lock-timeout", "refresh-query", "refresh-every");

    private final Map<String, String> values;
    private final Function<String, String> locationOf;
    private final ConfigProblems problems;

    /**
     * @param values     every dromedary.* key with its resolved value
     * @param locationOf the file a key came from (for messages)
     */
    public ApplicationPropertiesReader(Map<String, String> values, Function<String, String> locationOf,
                                       ConfigProblems problems) {
        this.values = new TreeMap<>(values);
        this.locationOf = locationOf;
        this.problems = problems;
    }

    public Map<String, AppConfig> apps() {
        Map<String, Map<String, String>> byApp = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("dromedary.apps.")) {
                if (key.startsWith(CLUSTER)) {
                    if (!CLUSTER_OPTIONS.contains(key.substring(CLUSTER.length()))) {
                        problem(key, "unknown cluster option; valid options: "
                                + new java.util.TreeSet<>(CLUSTER_OPTIONS));
                    }
                } else if (!key.equals(SYNC_FILES) && !key.equals("dromedary.store.app")
                        && !key.equals("dromedary.store.schema") && !key.equals(MAX_CURSOR_LAG)) {
                    problem(key, "unknown key; valid keys are dromedary.apps.<name>.<option>, dromedary.store.app, "
                            + "dromedary.store.schema, dromedary.cluster.<option>, " + MAX_CURSOR_LAG + " and "
                            + SYNC_FILES);
                }
                continue;
            }
            String rest = key.substring("dromedary.apps.".length());
            int dot = rest.indexOf('.');
            if (dot <= 0) {
                problem(key, "expected dromedary.apps.<name>.<option>");
                continue;
            }
            String app = rest.substring(0, dot);
            String option = rest.substring(dot + 1);
            if (!APP_OPTIONS.contains(option)) {
                problem(key, "unknown App option '" + option + "'; valid options: " + new java.util.TreeSet<>(APP_OPTIONS));
                continue;
            }
            byApp.computeIfAbsent(app, a -> new LinkedHashMap<>()).put(option, e.getValue());
        }
        Map<String, AppConfig> apps = new LinkedHashMap<>();
        byApp.forEach((name, options) -> apps.put(name, app(name, options)));
        return apps;
    }

    public StoreConfig store() {
        return new StoreConfig(
                values.getOrDefault("dromedary.store.app", StoreConfig.DEFAULT_APP),
                values.getOrDefault("dromedary.store.schema", StoreConfig.DEFAULT_SCHEMA));
    }

    /** How far a schedule's cursor may fall behind the clock before its health check is DOWN (null: no limit). */
    public Duration maxCursorLag() {
        String v = values.get(MAX_CURSOR_LAG);
        return v == null ? null : duration(MAX_CURSOR_LAG, v, null);
    }

    /** Clustered scheduling over the record store (dromedary.cluster.*); off unless enabled. */
    public ClusterConfig cluster() {
        String nodeId = values.get(CLUSTER + "node-id");
        if (nodeId != null && (nodeId.isBlank() || nodeId.strip().length() > ClusterConfig.MAX_NODE_ID)) {
            // Quartz keys each firing by node id plus a 13-digit counter, in a column of 95 characters.
            problem(CLUSTER + "node-id", "must be 1 to " + ClusterConfig.MAX_NODE_ID + " characters");
            nodeId = null;
        }
        Duration checkin = duration(CLUSTER + "checkin-interval", values.get(CLUSTER + "checkin-interval"),
                ClusterConfig.DEFAULT_CHECKIN_INTERVAL);
        if (checkin.toMillis() < 100) {
            problem(CLUSTER + "checkin-interval", "must be at least 100ms");
            checkin = ClusterConfig.DEFAULT_CHECKIN_INTERVAL;
        }
        return new ClusterConfig(bool(CLUSTER + "enabled", values.get(CLUSTER + "enabled"), false),
                nodeId == null ? ClusterConfig.defaultNodeId() : nodeId.strip(), checkin,
                positiveInt(CLUSTER + "threads", values.get(CLUSTER + "threads"), ClusterConfig.DEFAULT_THREADS));
    }

    public String syncFiles() {
        return values.getOrDefault(SYNC_FILES, DEFAULT_SYNC_FILES);
    }

    private AppConfig app(String name, Map<String, String> o) {
        String k = "dromedary.apps." + name + ".";
        String database = o.get("database");
        if (database == null || database.isBlank()) {
            problems.add(locationOf.apply(k + "host"), k + "database", "is required (App '" + name + "')");
        }
        String password = o.get("password");
        if (o.containsKey("password-file")) {
            if (password != null) {
                problem(k + "password-file", "give either password or password-file, not both");
            }
            password = readPasswordFile(k + "password-file", o.get("password-file"));
        }
        String ca = o.get("ssl-certificate-authority");
        String cert = o.get("ssl-certificate");
        String key = o.get("ssl-key");
        boolean ssl = bool(k + "ssl", o.get("ssl"), ca != null || cert != null);
        if (!ssl && (ca != null || cert != null || key != null)) {
            problem(k + "ssl", "is false but SSL files are given (App '" + name + "'): remove them or set ssl = true");
        }
        if ((cert == null) != (key == null)) {
            problem(k + (cert == null ? "ssl-certificate" : "ssl-key"),
                    "ssl-certificate and ssl-key must be given together (App '" + name + "')");
        }
        return new AppConfig(name,
                o.getOrDefault("host", AppConfig.DEFAULT_HOST),
                positiveInt(k + "port", o.get("port"), AppConfig.DEFAULT_PORT),
                database,
                o.getOrDefault("schema", AppConfig.DEFAULT_SCHEMA),
                o.getOrDefault("user", System.getProperty("user.name")),
                Secret.of(password),
                ssl, cert, key, ca,
                positiveInt(k + "pool-size", o.get("pool-size"), AppConfig.DEFAULT_POOL_SIZE),
                duration(k + "connect-timeout", o.get("connect-timeout"), Duration.ofSeconds(10)),
                duration(k + "statement-timeout", o.get("statement-timeout"), Duration.ZERO),
                duration(k + "lock-timeout", o.get("lock-timeout"), Duration.ZERO),
                o.get("refresh-query"),
                positive(k + "refresh-every", duration(k + "refresh-every", o.get("refresh-every"),
                        AppConfig.DEFAULT_REFRESH_EVERY)));
    }

    private String readPasswordFile(String key, String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (Exception e) {
            problem(key, "cannot read password file '" + file + "': " + e.getClass().getSimpleName());
            return null;
        }
    }

    private boolean bool(String key, String v, boolean dflt) {
        if (v == null) {
            return dflt;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problem(key, "'" + v + "' is invalid: expected true or false");
                yield dflt;
            }
        };
    }

    private int positiveInt(String key, String v, int dflt) {
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problem(key, "'" + v + "' is invalid: expected a positive whole number");
        return dflt;
    }

    private Duration duration(String key, String v, Duration dflt) {
        if (v == null) {
            return dflt;
        }
        Duration d = v.trim().matches("-?\\d+") ? null : Durations.parse(v);
        if (d == null || d.isNegative()) {
            problem(key, "'" + v + "' is invalid: expected a duration with its unit, such as 500ms, 30s or 5m");
            return dflt;
        }
        return d;
    }

    private Duration positive(String key, Duration d) {
        if (d.isZero()) {
            problem(key, "must be longer than zero");
            return AppConfig.DEFAULT_REFRESH_EVERY;
        }
        return d;
    }

    private void problem(String key, String message) {
        problems.add(locationOf.apply(key), key, message);
    }
}
