package dev.dromedary.source;

import dev.dromedary.sql.Identifiers;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes a source's aggregated properties for a batch of keys inside PostgreSQL: one statement per filter set,
 * whatever the number of keys or properties. Every key of the batch gets a value, so a record with no rows gets
 * count 0, sum 0, and null for the others. When an index leads with the mapping column, each key's rows are
 * aggregated on their own, through the index (a LATERAL subquery); otherwise the batch is joined and grouped, so
 * PostgreSQL may hash-join it in one scan of the table.
 */
public final class PropertyAggregator {
    private final List<Query> queries = new ArrayList<>();

    /** One statement: the properties sharing a filter set, and where their values go in the row. */
    private record Query(String sql, List<String> filterParams, List<Integer> slots, List<Boolean> arrays) {
    }

    /**
     * @param properties the source's properties to aggregate (exact ones of a secondary source included)
     * @param slotOf     index of each property in the source's property list
     */
    public PropertyAggregator(SourceDefinition source, TableShape shape, List<PropertyDefinition> properties,
                              Map<PropertyDefinition, Integer> slotOf) {
        Map<List<Filter>, List<PropertyDefinition>> byFilters = new LinkedHashMap<>();
        for (PropertyDefinition p : properties) {
            byFilters.computeIfAbsent(p.filters(), f -> new ArrayList<>()).add(p);
        }
        String table = Identifiers.qualified(shape.schema(), source.table());
        String mapping = "t." + Identifiers.quote(source.mapping().column());
        String keyType = shape.type(source.mapping().column());
        String tiebreak = "t." + Identifiers.quote(shape.tiebreakColumn());
        for (Map.Entry<List<Filter>, List<PropertyDefinition>> e : byFilters.entrySet()) {
            SqlFilters filters = SqlFilters.of(e.getKey(), shape::type);
            StringBuilder aggregates = new StringBuilder();
            List<Integer> slots = new ArrayList<>();
            List<Boolean> arrays = new ArrayList<>();
            for (PropertyDefinition p : e.getValue()) {
                aggregates.append(aggregates.isEmpty() ? "" : ", ").append(expression(p, mapping, tiebreak))
                        .append(" AS v").append(slots.size());
                slots.add(slotOf.get(p));
                arrays.add(p.array());
            }
            String keys = "unnest(CAST(? AS text[])::" + keyType + "[]) AS k(key)";
            // Grouping the joined batch sorted all its rows by key (on disk at the default work_mem): 10,000 keys of
            // 5 rows each took 73-75 ms that way and 56-58 ms one key at a time through the index.
            String sql = shape.mappingIndexed()
                    ? "SELECT k.key::text, a.* FROM " + keys + " CROSS JOIN LATERAL (SELECT " + aggregates + " FROM "
                            + table + " t WHERE " + mapping + " = k.key AND " + filters.sql() + ") a"
                    : "SELECT k.key::text, " + aggregates + " FROM " + keys + " LEFT JOIN " + table + " t ON "
                            + mapping + " = k.key AND " + filters.sql() + " GROUP BY k.key";
            queries.add(new Query(sql, filters.parameters(), slots, arrays));
        }
    }

    /** The SQL aggregate giving one property's value (as text, or text[] for arrays) for one key. */
    static String expression(PropertyDefinition p, String mapping, String tiebreak) {
        String col = "t." + Identifiers.quote(p.column());
        String sort = p.sortColumn() == null ? null : "t." + Identifiers.quote(p.sortColumn());
        if (p.array()) {
            String order = (sort != null ? sort + ", " : col + ", ") + tiebreak;
            return "coalesce(array_agg(" + col + "::text ORDER BY " + order + ") FILTER (WHERE " + mapping
                    + " IS NOT NULL), '{}')";
        }
        return switch (p.aggregation()) {
            case EXACT -> "(array_agg(" + col + "::text ORDER BY " + tiebreak + " DESC))[1]";
            case AVERAGE -> "avg(" + col + ")::text";
            case COUNT -> "count(" + col + ")::text";
            case SUM -> "coalesce(sum(" + col + "), 0)::text";
            case MIN -> "min(" + col + ")::text";
            case MAX -> "max(" + col + ")::text";
            // Nulls are not skipped: the newest row's value is the value, even when it is null.
            case MOST_RECENT_VALUE -> "(array_agg(" + col + "::text ORDER BY " + sort + " DESC NULLS LAST, " + tiebreak
                    + " DESC))[1]";
            case LEAST_RECENT_VALUE -> "(array_agg(" + col + "::text ORDER BY " + sort + " ASC NULLS LAST, " + tiebreak
                    + " ASC))[1]";
        };
    }

    public boolean isEmpty() {
        return queries.isEmpty();
    }

    /**
     * Fills, for each key, the aggregated slots of a row of raw values (String, or String[] for arrays).
     * @return raw values by key; each array has {@code width} slots
     */
    public Map<String, Object[]> aggregate(Connection c, List<String> keys, int width) throws SQLException {
        Map<String, Object[]> out = new HashMap<>(keys.size() * 2);
        if (keys.isEmpty()) {
            return out;
        }
        for (Query q : queries) {
            try (PreparedStatement ps = c.prepareStatement(q.sql())) {
                ps.setArray(1, c.createArrayOf("text", keys.toArray()));
                int i = 2;
                for (String p : q.filterParams()) {
                    ps.setString(i++, p);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Object[] row = out.computeIfAbsent(rs.getString(1), k -> new Object[width]);
                        for (int j = 0; j < q.slots().size(); j++) {
                            if (q.arrays().get(j)) {
                                Array a = rs.getArray(2 + j);
                                row[q.slots().get(j)] = a == null ? new String[0] : (String[]) a.getArray();
                            } else {
                                row[q.slots().get(j)] = rs.getString(2 + j);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
