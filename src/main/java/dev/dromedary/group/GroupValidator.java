package dev.dromedary.group;

import dev.dromedary.config.ConfigProblems;
import dev.dromedary.config.Enums;
import dev.dromedary.record.PropertyType;
import dev.dromedary.record.ValueConverter;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks group rules against the model's properties: known property, an operator that fits its type, a value. */
public final class GroupValidator {
    private static final Set<GroupOp> ANY_TYPE = EnumSet.of(GroupOp.EXISTS, GroupOp.NOT_EXISTS, GroupOp.EQ, GroupOp.NE);
    private static final Set<GroupOp> ORDERED = EnumSet.of(GroupOp.GT, GroupOp.GTE, GroupOp.LT, GroupOp.LTE);
    private static final Set<GroupOp> TEXT = EnumSet.of(GroupOp.LIKE, GroupOp.NOT_LIKE, GroupOp.I_LIKE,
            GroupOp.NOT_I_LIKE, GroupOp.STARTS_WITH, GroupOp.ENDS_WITH, GroupOp.SUBSTRING);
    private static final Set<GroupOp> RELATIVE = EnumSet.of(GroupOp.IN_THE_PAST, GroupOp.IN_THE_FUTURE);

    private GroupValidator() {
    }

    static boolean fits(GroupOp op, PropertyType type) {
        boolean number = type == PropertyType.INTEGER || type == PropertyType.FLOAT;
        boolean date = type == PropertyType.DATE || type == PropertyType.TIMESTAMP;
        boolean text = type == PropertyType.STRING || type == PropertyType.EMAIL || type == PropertyType.URL;
        return ANY_TYPE.contains(op) || (ORDERED.contains(op) && (number || date)) || (TEXT.contains(op) && text)
                || (RELATIVE.contains(op) && date);
    }

    public static void validate(String file, List<GroupDefinition> groups,
                                Map<String, GroupEvaluator.PropertyShape> properties, ConfigProblems problems) {
        Set<String> names = new HashSet<>();
        for (GroupDefinition g : groups) {
            if (g.name() != null && !names.add(g.name())) {
                problems.add(file, "group '" + g.name() + "'", "group name is used more than once");
            }
            for (int i = 0; i < g.rules().size(); i++) {
                GroupRule r = g.rules().get(i);
                String el = "group '" + g.name() + "'.rules[" + i + "]";
                if (r.op() == null || r.property() == null) {
                    continue;
                }
                GroupEvaluator.PropertyShape shape = properties.get(r.property());
                if (shape == null) {
                    problems.add(file, el + ".property", "unknown property '" + r.property() + "'; the model's "
                            + "properties: " + new java.util.TreeSet<>(properties.keySet()));
                    continue;
                }
                if (!fits(r.op(), shape.type())) {
                    problems.add(file, el + ".op", "operator " + Enums.configName(r.op()) + " does not apply to "
                            + Enums.configName(shape.type()) + " property '" + r.property() + "'");
                    continue;
                }
                String why = valueProblem(r, shape.type());
                if (why != null) {
                    problems.add(file, el + ".value", why);
                }
            }
        }
    }

    private static String valueProblem(GroupRule r, PropertyType type) {
        if (r.op() == GroupOp.EXISTS || r.op() == GroupOp.NOT_EXISTS) {
            return r.value() == null ? null : "operator " + Enums.configName(r.op()) + " takes no value";
        }
        if (RELATIVE.contains(r.op())) {
            return RuleSql.interval(r.value()) == null ? "'" + r.value() + "' is invalid: expected an amount and a "
                    + "unit, such as 30 days, 2 weeks, 3 months, 1 quarter or 1 year" : null;
        }
        if (TEXT.contains(r.op())) {
            return null;
        }
        ValueConverter.Converted c = ValueConverter.convert(type, r.value());
        return c.invalidReason() == null ? null : "'" + r.value() + "' is invalid for " + Enums.configName(type)
                + " property '" + r.property() + "': " + c.invalidReason();
    }
}
