package dev.dromedary.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * One YAML mapping of a sync file, read strictly: every key read is remembered, and {@link #finish()} reports
 * the keys nobody asked for, so a typo is an error naming the file, the line and the element.
 */
public final class ConfigNode {
    private final String file;
    private final String path;
    private final MappingNode node;
    private final ConfigProblems problems;
    private final Function<String, String> placeholders;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> read = new LinkedHashSet<>();
    private final Set<String> reported = new LinkedHashSet<>();

    public ConfigNode(String file, String path, MappingNode node, ConfigProblems problems,
                      Function<String, String> placeholders) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.problems = problems;
        this.placeholders = placeholders;
        for (NodeTuple t : node.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k) {
                entries.put(k.getValue(), t);
            }
        }
    }

    public String path() {
        return path;
    }

    public String file() {
        return file;
    }

    public ConfigProblems problems() {
        return problems;
    }

    public boolean has(String key) {
        read.add(key);
        return entries.containsKey(key);
    }

    /** Where a key (or this element) sits: "file:line". */
    public String where(String key) {
        NodeTuple t = entries.get(key);
        Node n = t == null ? node : t.getKeyNode();
        return n.getStartMark().map(m -> file + ":" + (m.getLine() + 1)).orElse(file);
    }

    public String element(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public void problem(String key, String message) {
        reported.add(key);
        problems.add(where(key), element(key), message);
    }

    public String string(String key) {
        read.add(key);
        NodeTuple t = entries.get(key);
        if (t == null) {
            return null;
        }
        if (t.getValueNode() instanceof ScalarNode s) {
            String v = s.getValue();
            if (v == null || v.isEmpty() || "~".equals(v) || "null".equals(v)) {
                return null;
            }
            return resolve(key, v);
        }
        problem(key, "expected a single value, found " + kind(t.getValueNode()));
        return null;
    }

    /**
     * A value taken as written, without Camel placeholder resolution: SQL templates use {{ property }} for their
     * own variables.
     */
    public String requiredRawString(String key) {
        read.add(key);
        NodeTuple t = entries.get(key);
        if (t != null && t.getValueNode() instanceof ScalarNode s && s.getValue() != null && !s.getValue().isBlank()) {
            return s.getValue();
        }
        problem(key, t == null ? "is required but missing" : "is required (it is empty)");
        return null;
    }

    public String requiredString(String key) {
        String v = string(key);
        if (v == null && !problemAlreadyReported(key)) {
            problems.add(where(key), element(key), "is required" + (entries.containsKey(key) ? " (it is empty)" : " but missing"));
        }
        return v;
    }

    private boolean problemAlreadyReported(String key) {
        return reported.contains(key);
    }

    public String string(String key, String defaultValue) {
        String v = string(key);
        return v == null ? defaultValue : v;
    }

    public int positiveInt(String key, int defaultValue) {
        String v = string(key);
        if (v == null) {
            return defaultValue;
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
        return defaultValue;
    }

    public boolean bool(String key, boolean defaultValue) {
        String v = string(key);
        if (v == null) {
            return defaultValue;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> {
                return true;
            }
            case "false", "no", "off" -> {
                return false;
            }
            default -> {
                problem(key, "'" + v + "' is invalid: expected true or false");
                return defaultValue;
            }
        }
    }

    /** A strictly positive duration (30s, 15m, 2h, 1d), or null when absent. */
    public Duration positiveDuration(String key) {
        String v = string(key);
        if (v == null) {
            return null;
        }
        Duration d = Durations.parse(v);
        if (d == null || d.isZero() || d.isNegative()) {
            problem(key, "'" + v + "' is invalid: expected a positive duration such as 30s, 15m, 2h or 1d");
            return null;
        }
        return d;
    }

    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        String v = string(key);
        if (v == null) {
            return defaultValue;
        }
        E parsed = Enums.parse(type, v);
        if (parsed == null) {
            problem(key, "'" + v + "' is invalid: expected one of " + Enums.names(type));
            return defaultValue;
        }
        return parsed;
    }

    /** A nested mapping, or null when absent. */
    public ConfigNode child(String key) {
        read.add(key);
        NodeTuple t = entries.get(key);
        if (t == null) {
            return null;
        }
        if (t.getValueNode() instanceof MappingNode m) {
            return new ConfigNode(file, element(key), m, problems, placeholders);
        }
        problem(key, "expected a mapping of keys to values, found " + kind(t.getValueNode()));
        return null;
    }

    /** A list of mappings (empty when absent). */
    public List<ConfigNode> list(String key) {
        read.add(key);
        NodeTuple t = entries.get(key);
        List<ConfigNode> out = new ArrayList<>();
        if (t == null) {
            return out;
        }
        if (!(t.getValueNode() instanceof SequenceNode seq)) {
            problem(key, "expected a list, found " + kind(t.getValueNode()));
            return out;
        }
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String itemPath = element(key) + "[" + i + "]";
            if (item instanceof MappingNode m) {
                out.add(new ConfigNode(file, itemPath, m, problems, placeholders));
            } else {
                problems.add(item.getStartMark().map(mk -> file + ":" + (mk.getLine() + 1)).orElse(file), itemPath,
                        "expected a mapping of keys to values, found " + kind(item));
            }
        }
        return out;
    }

    /** A mapping of plain values, in file order (empty when absent). */
    public Map<String, String> stringMap(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        ConfigNode child = child(key);
        if (child == null) {
            return out;
        }
        for (Map.Entry<String, NodeTuple> e : child.entries.entrySet()) {
            String v = child.string(e.getKey());
            if (v == null) {
                child.problem(e.getKey(), "needs a value");
            } else {
                out.put(e.getKey(), v);
            }
        }
        return out;
    }

    /** Reports every key present but never read: almost always a typo. */
    public void finish() {
        for (String key : entries.keySet()) {
            if (!read.contains(key)) {
                problem(key, "unknown option '" + key + "'" + suggestion(key));
            }
        }
    }

    private String suggestion(String key) {
        String best = null;
        int bestDistance = 3;
        for (String known : read) {
            int d = Enums.distance(key.toLowerCase(Locale.ROOT), known.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return best == null ? "; valid options here: " + read : " (did you mean '" + best + "'?)";
    }

    private String resolve(String key, String value) {
        if (!value.contains("{{")) {
            return value;
        }
        try {
            return placeholders.apply(value);
        } catch (RuntimeException e) {
            problem(key, "cannot resolve placeholder in '" + value + "': " + e.getMessage());
            return null;
        }
    }

    private static String kind(Node n) {
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        return "a single value";
    }
}
