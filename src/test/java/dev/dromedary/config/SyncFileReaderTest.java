package dev.dromedary.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.destination.SyncMode;
import dev.dromedary.source.Aggregation;
import dev.dromedary.source.FilterOp;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SyncFileReaderTest {
    private final ConfigProblems problems = new ConfigProblems();
    private final SyncFileReader reader = new SyncFileReader(problems, Function.identity());

    private static final String VALID = """
            model:
              name: users
              primaryKey: userId
            sources:
              - id: crm-users
                app: crm
                table: users
                mapping: { column: id, property: userId }
                properties:
                  - name: spend
                    column: amount
                    type: float
                    aggregation: mostRecentValue
                    sortColumn: purchased_at
                    filters:
                      - { column: status, op: notSubstring, value: refund }
                schedule:
                  column: updated_at
                  lookback: 5m
                  cron: "0 0/15 * * * ?"
                  pageSize: 1000
            groups:
              - name: big-spenders
                match: any
                rules:
                  - { property: spend, op: gt, value: 100 }
            destinations:
              - id: wh
                app: warehouse
                table: customers
                primaryKey: id
                syncMode: additive
                mappings: { id: userId, spend: spend }
            """;

    @Test
    void validFile_readsEveryNestedElement() {
        SyncDefinition s = reader.read("routes/a.sync.yaml", VALID);
        assertThat(problems.all()).isEmpty();
        assertThat(s.model().primaryKey()).isEqualTo("userId");
        var p = s.sources().get(0).properties().get(0);
        assertThat(p.aggregation()).isEqualTo(Aggregation.MOST_RECENT_VALUE);
        assertThat(p.filters().get(0).op()).isEqualTo(FilterOp.NOT_SUBSTRING);
        assertThat(s.sources().get(0).schedule().lookback()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.sources().get(0).schedule().incremental()).isTrue();
        assertThat(s.destinations().get(0).syncMode()).isEqualTo(SyncMode.ADDITIVE);
        assertThat(s.destinations().get(0).mappings()).containsEntry("id", "userId");
        assertThat(s.groups().get(0).rules()).hasSize(1);
    }

    @Test
    void typo_isAnErrorWithFileLineAndSuggestion() {
        reader.read("routes/a.sync.yaml", VALID.replace("    pageSize: 1000", "    pagesize: 1000"));
        assertThat(problems.all()).containsExactly(
                "routes/a.sync.yaml:21: sources[0].schedule.pagesize: unknown option 'pagesize' (did you mean 'pageSize'?)");
    }

    @Test
    void everyProblemIsCollected_notJustTheFirst() {
        String bad = VALID.replace("syncMode: additive", "syncMode: upsert")
                .replace("cron: \"0 0/15 * * * ?\"", "every: 0m")
                .replace("aggregation: mostRecentValue", "aggregation: median")
                .replace("    app: crm\n", "");
        reader.read("f.yaml", bad);
        assertThat(problems.all()).hasSize(4).anySatisfy(p -> assertThat(p)
                        .contains("destinations[0].syncMode: 'upsert' is invalid: expected one of [sync, additive, enrich]"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].schedule.every: '0m' is invalid: expected a positive duration"))
                .anySatisfy(p -> assertThat(p).contains("'median' is invalid: expected one of [exact, average, count, sum, "
                        + "min, max, mostRecentValue, leastRecentValue]"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].app: is required but missing"));
    }

    @Test
    void malformedCron_andNegativeFrequency_areRefused() {
        reader.read("f.yaml", VALID.replace("cron: \"0 0/15 * * * ?\"", "cron: \"every tuesday\""));
        reader.read("g.yaml", VALID.replace("cron: \"0 0/15 * * * ?\"", "every: -5m"));
        assertThat(problems.all()).hasSize(2);
        assertThat(problems.all().get(0)).contains("f.yaml:").contains("'every tuesday' is not a valid Quartz cron expression");
        assertThat(problems.all().get(1)).contains("g.yaml:").contains("'-5m' is invalid");
    }

    @Test
    void mostRecentValueWithoutSortColumn_isRefused() {
        reader.read("f.yaml", VALID.replace("        sortColumn: purchased_at\n", ""));
        assertThat(problems.all()).singleElement().asString().contains("sortColumn: is required with aggregation mostRecentValue");
    }

    @Test
    void destinationMustMapItsPrimaryKey() {
        reader.read("f.yaml", VALID.replace("mappings: { id: userId, spend: spend }", "mappings: { spend: spend }"));
        assertThat(problems.all()).singleElement().asString()
                .contains("destinations[0].mappings: must map the primary-key column 'id' to a property");
    }

    @Test
    void invalidYaml_isReportedWithItsLine() {
        reader.read("f.yaml", "model:\n  name: [unclosed\n");
        assertThat(problems.all()).singleElement().asString().startsWith("f.yaml:").contains("not valid YAML");
    }

    @Test
    void placeholdersInValues_areResolved() {
        SyncFileReader withPlaceholders = new SyncFileReader(problems, v -> v.replace("{{table}}", "people"));
        SyncDefinition s = withPlaceholders.read("f.yaml", VALID.replace("table: users", "table: \"{{table}}\""));
        assertThat(problems.all()).isEmpty();
        assertThat(s.sources().get(0).table()).isEqualTo("people");
    }
}
