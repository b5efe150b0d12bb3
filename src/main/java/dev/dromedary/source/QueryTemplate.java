package dev.dromedary.source;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A query-source SQL template: {@code {{ property }}} marks where a record's property value goes. The value is
 * never pasted into the text: each variable becomes a bind parameter (or, batched, a column of bound arrays).
 */
public final class QueryTemplate {
    private static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    private final String text;
    private final List<String> variables = new ArrayList<>();

    public QueryTemplate(String text) {
        this.text = text.strip().replaceFirst(";\\s*$", "");
        Matcher m = VARIABLE.matcher(this.text);
        while (m.find()) {
            variables.add(m.group(1));
        }
    }

    /** The variables in order of appearance (a variable used twice appears twice). */
    public List<String> variables() {
        return variables;
    }

    /** The text with each variable replaced by what {@code replacement} gives for its position. */
    public String render(java.util.function.IntFunction<String> replacement) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replacement.apply(i++)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Why this is not a single SELECT (or WITH ... SELECT), or null. */
    public String problem() {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (!(lower.startsWith("select") || lower.startsWith("with") || lower.startsWith("("))) {
            return "must be a single SELECT";
        }
        if (text.contains(";")) {
            return "must be a single statement (no ';')";
        }
        return null;
    }
}
