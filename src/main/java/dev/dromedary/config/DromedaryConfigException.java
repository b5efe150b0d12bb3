package dev.dromedary.config;

import java.util.List;

/** Start-up failure listing every configuration problem found, each naming its file or key. */
public class DromedaryConfigException extends RuntimeException {
    private final List<String> problems;

    public DromedaryConfigException(List<String> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        StringBuilder b = new StringBuilder("Dromedary configuration has ").append(problems.size())
                .append(problems.size() == 1 ? " problem:" : " problems:");
        for (String p : problems) {
            b.append(System.lineSeparator()).append("  - ").append(p);
        }
        return b.toString();
    }
}
