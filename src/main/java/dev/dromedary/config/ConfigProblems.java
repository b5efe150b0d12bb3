package dev.dromedary.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every configuration problem so they can be reported together, not one per restart. */
public final class ConfigProblems {
    private final List<String> problems = new ArrayList<>();

    /** A problem at a place: "file:line: element: message". */
    public void add(String where, String element, String message) {
        StringBuilder b = new StringBuilder();
        if (where != null && !where.isEmpty()) {
            b.append(where).append(": ");
        }
        if (element != null && !element.isEmpty()) {
            b.append(element).append(": ");
        }
        problems.add(b.append(message).toString());
    }

    public void add(String message) {
        problems.add(message);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<String> all() {
        return List.copyOf(problems);
    }

    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new DromedaryConfigException(problems);
        }
    }
}
