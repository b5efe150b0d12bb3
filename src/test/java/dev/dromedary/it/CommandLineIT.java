package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as integrators run it: --once, --validate, and bad configuration. */
class CommandLineIT {
    private static final String PASSWORD = "Cli-Pa55word-9d1e";
    static TestDatabase db;
    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE public.users (id int PRIMARY KEY, email text, updated_at timestamptz NOT NULL)",
                "INSERT INTO public.users SELECT g, 'u' || g || '@x.org', now() FROM generate_series(1, 250) g",
                "CREATE TABLE public.customers (id int PRIMARY KEY, email text)");
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        db.close();
    }

    private void writeConfig(String syncYaml) throws Exception {
        writeConfig(syncYaml, "dromedary");
    }

    private void writeConfig(String syncYaml, String storeSchema) throws Exception {
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "dromedary.apps.main.host = " + TestDatabase.HOST,
                "dromedary.apps.main.port = " + TestDatabase.PORT,
                "dromedary.apps.main.database = " + db.name(),
                "dromedary.apps.main.user = " + TestDatabase.USER,
                "dromedary.apps.main.password = {{env:MAIN_PASSWORD}}",
                "dromedary.store.app = main",
                "dromedary.store.schema = " + storeSchema, ""));
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/users.sync.yaml"), syncYaml);
    }

    private static final String SYNC = """
            model: { name: users, primaryKey: userId }
            sources:
              - id: users
                app: main
                table: users
                mapping: { column: id, property: userId }
                properties: [ { name: email, column: email, type: email } ]
                schedule: { column: updated_at, every: 1h, pageSize: 100 }
            destinations:
              - id: customers
                app: main
                table: customers
                primaryKey: id
                mappings: { id: userId, email: email }
            """;

    private record Result(int exit, String output) {
    }

    private Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", new File("target/dromedary-runnable.jar").getAbsolutePath()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("MAIN_PASSWORD", PASSWORD);
        pb.environment().put("DROMEDARY_LOG_LEVEL", "DEBUG");
        pb.environment().put("DROMEDARY_LIBRARY_LOG_LEVEL", "DEBUG");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void once_syncsPrintsASummaryAndExitsZero() throws Exception {
        writeConfig(SYNC);
        Result r = run("--once");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).as("DEBUG output is long").hasSizeGreaterThan(20_000)
                .containsPattern("import\\s+users\\s+succeeded\\s+[0-9.]+\\s+250\\s+250")
                .containsPattern("export\\s+customers\\s+succeeded\\s+[0-9.]+\\s+0\\s+250")
                .doesNotContain(PASSWORD);
        assertThat(db.queryLong("SELECT count(*) FROM customers")).isEqualTo(250);
    }

    @Test
    void validate_checksWithoutSyncing() throws Exception {
        writeConfig(SYNC.replace("id: users\n", "id: users-validate\n").replace("id: customers\n", "id: customers-validate\n"),
                "validate_store");
        Result r = run("--validate");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("Configuration and connections are valid.").doesNotContain(PASSWORD);
        assertThat(db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'validate_store'")).isZero();
    }

    @Test
    void badConfiguration_listsEveryProblemWithItsFile_andExitsTwo() throws Exception {
        writeConfig(SYNC.replace("every: 1h", "every: 0m").replace("app: main\n    table: customers", "app: nowhere\n    table: customers")
                .replace("primaryKey: id\n    mappings", "primaryKey: id\n    colour: red\n    mappings"));
        Result r = run("--validate");
        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("Dromedary configuration has 2 problems:")
                .contains("routes/users.sync.yaml:8: sources[0].schedule.every: '0m' is invalid")
                .contains("routes/users.sync.yaml:14: destinations[0].colour: unknown option 'colour'")
                .doesNotContain(PASSWORD);
        writeConfig(SYNC.replace("app: main\n    table: customers", "app: nowhere\n    table: customers"));
        Result r2 = run("--validate");
        assertThat(r2.exit()).isEqualTo(2);
        assertThat(r2.output()).contains("destination 'customers'.app: unknown App 'nowhere'; defined Apps: [main]");
    }

    @Test
    void status_resync_andResetCursor() throws Exception {
        db.execute("CREATE TABLE public.narrow (id int PRIMARY KEY, email varchar(9))");
        writeConfig(SYNC.replace("id: users\n", "id: ops-users\n").replace("id: customers\n", "id: ops-narrow\n")
                .replace("table: customers", "table: narrow"), "ops_store");
        Result once = run("--once");
        assertThat(once.exit()).as(once.output()).isZero();
        // u100@x.org and longer do not fit varchar(9): those records fail alone
        long fitting = db.queryLong("SELECT count(*) FROM users WHERE length(email) <= 9");
        assertThat(db.queryLong("SELECT count(*) FROM narrow")).isEqualTo(fitting);

        Result status = run("--status");
        assertThat(status.exit()).as(status.output()).isZero();
        assertThat(status.output()).doesNotContain(PASSWORD);
        assertThat(status.output()).containsPattern("ops-users\\s+succeeded")
                .containsPattern("ops-narrow\\s+succeeded .*\\s+0\\s+" + (250 - fitting))
                .contains("failed record 100: value too long for type character varying(9)");
        Result json = run("--status", "--json");
        assertThat(json.output()).contains("{\"name\":\"ops-narrow\",\"lastStatus\":\"succeeded\"")
                .contains("\"failed\":" + (250 - fitting));

        db.execute("ALTER TABLE narrow ALTER COLUMN email TYPE text", "TRUNCATE narrow");
        Result resync = run("--resync", "ops-narrow");
        assertThat(resync.exit()).as(resync.output()).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM narrow")).isEqualTo(250);
        assertThat(db.queryLong("SELECT count(*) FROM (SELECT id, email FROM users EXCEPT SELECT id, email FROM narrow) d"))
                .isZero();

        Result reset = run("--reset-cursor", "ops-users");
        assertThat(reset.output()).contains("Schedule 'ops-users' starts from the beginning at its next run.");
        Result again = run("--once");
        assertThat(again.output()).containsPattern("import\\s+ops-users\\s+succeeded\\s+[0-9.]+\\s+250\\s+0\\s+0");
        assertThat(run("--resync", "nowhere").exit()).isEqualTo(2);
    }
}
