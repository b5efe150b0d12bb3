package dev.dromedary.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ConfigValidatorTest {
    private final ConfigProblems problems = new ConfigProblems();

    private static final String SYNC = """
            model: { name: users, primaryKey: userId }
            sources:
              - id: crm-users
                app: crm
                table: users
                mapping: { column: id, property: userId }
                properties:
                  - { name: email, column: email }
                schedule: { column: updated_at, every: 15m }
            destinations:
              - id: wh
                app: warehouse
                table: customers
                primaryKey: id
                mappings: { id: userId, email: email }
            """;

    private void validate(String yaml, Map<String, String> props) {
        SyncDefinition sync = new SyncFileReader(problems, Function.identity()).read("s.yaml", yaml);
        var reader = new ApplicationPropertiesReader(props, k -> "application.properties", problems);
        new ConfigValidator(problems).validate(new DromedaryConfig(reader.apps(), reader.store(), List.of(sync)));
    }

    private static final Map<String, String> APPS = Map.of(
            "dromedary.apps.crm.database", "crm",
            "dromedary.apps.warehouse.database", "wh",
            "dromedary.store.app", "warehouse");

    @Test
    void consistentConfiguration_hasNoProblems() {
        validate(SYNC, APPS);
        assertThat(problems.all()).isEmpty();
    }

    @Test
    void unknownApp_unknownProperty_andMissingStoreApp_areAllNamed() {
        validate(SYNC.replace("app: warehouse", "app: lake").replace("email: email }", "email: mail }"),
                Map.of("dromedary.apps.crm.database", "crm"));
        assertThat(problems.all()).containsExactlyInAnyOrder(
                "dromedary.store.app: App 'dromedary' holds the record store but is not defined; define "
                        + "dromedary.apps.dromedary.database or point dromedary.store.app at one of [crm]",
                "s.yaml: destination 'wh'.app: unknown App 'lake'; defined Apps: [crm]",
                "s.yaml: destination 'wh'.mappings.email: unknown property 'mail' of model 'users'; known: [email, userId]");
    }

    @Test
    void aColonInASourceId_isAnError() {
        validate(SYNC.replace("id: crm-users", "id: crm:users"), APPS);
        assertThat(problems.all()).containsExactly("s.yaml: source 'crm:users'.id: must not contain ':'");
    }

    @Test
    void clusterOptions_areRead_andBadOnesNamed() {
        var reader = new ApplicationPropertiesReader(Map.of("dromedary.cluster.enabled", "true",
                "dromedary.cluster.node-id", "sync-a", "dromedary.cluster.checkin-interval", "2s",
                "dromedary.cluster.threads", "3"), k -> "application.properties", problems);
        reader.apps();
        assertThat(reader.cluster()).isEqualTo(new ClusterConfig(true, "sync-a", java.time.Duration.ofSeconds(2), 3));
        assertThat(problems.all()).isEmpty();

        var bad = new ApplicationPropertiesReader(Map.of("dromedary.cluster.enabled", "sometimes",
                "dromedary.cluster.node-id", "n".repeat(81), "dromedary.cluster.checkin-interval", "10ms",
                "dromedary.cluster.treads", "3"), k -> "application.properties", problems);
        bad.apps();
        ClusterConfig defaults = bad.cluster();
        assertThat(defaults.nodeId()).matches(".+:\\d+:[0-9a-f]{6}").hasSizeLessThanOrEqualTo(80);
        assertThat(problems.all()).containsExactlyInAnyOrder(
                "application.properties: dromedary.cluster.treads: unknown cluster option; valid options: "
                        + "[checkin-interval, enabled, node-id, threads]",
                "application.properties: dromedary.cluster.node-id: must be 1 to 80 characters",
                "application.properties: dromedary.cluster.checkin-interval: must be at least 100ms",
                "application.properties: dromedary.cluster.enabled: 'sometimes' is invalid: expected true or false");
    }

    @Test
    void unknownApplicationPropertiesKey_isAnError() {
        var reader = new ApplicationPropertiesReader(Map.of("dromedary.apps.crm.databse", "x"),
                k -> "application.properties", problems);
        reader.apps();
        assertThat(problems.all()).singleElement().asString()
                .startsWith("application.properties: dromedary.apps.crm.databse: unknown App option 'databse'");
    }

    @Test
    void querySource_namesItsUnknownKeyProperty() {
        validate(SYNC.replace("destinations:", """
                  - id: spend
                    type: query
                    app: crm
                    properties: [ { name: spend, query: "SELECT 1" } ]
                    schedule: { every: 1h, query: "SELECT 1", property: userID }
                destinations:"""), APPS);
        assertThat(problems.all()).containsExactly("s.yaml: source 'spend'.schedule.property: unknown property 'userID'; "
                + "the model's properties: [email, spend, userId]");
    }

    @Test
    void optionsThatMeanNothingAlone_areRefused() {
        validate(SYNC.replace("{ name: email, column: email }",
                "{ name: email, column: email, aggregation: count, array: true }"), APPS);
        validate(SYNC.replace("{ name: email, column: email }",
                "{ name: email, column: email, aggregation: count, sortColumn: id }"), APPS);
        assertThat(problems.all()).containsExactlyInAnyOrder(
                "s.yaml: source 'crm-users'.properties.email.array: an array property holds every row's value: its "
                        + "aggregation must be exact",
                "s.yaml: destination 'wh'.mappings.email: property 'email' is an array and cannot be exported to a column",
                "s.yaml: source 'crm-users'.properties.email.sortColumn: only mostRecentValue, leastRecentValue and "
                        + "array properties use a sortColumn");
    }
}
