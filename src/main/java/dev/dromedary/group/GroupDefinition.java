package dev.dromedary.group;

import java.util.List;

/** A calculated group: records matching all (or any) of the rules are members. */
public record GroupDefinition(String name, Match match, List<GroupRule> rules) {
}
