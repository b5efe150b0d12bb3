package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dromedary.config.DromedaryConfigException;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each App problem at start-up is one line naming the App and the cause, and never shows the password. */
class AppCheckIT {
    private static final String PASSWORD = "Pw-7f3#unguessable";
    private static final String SYNC = """
            model: { name: users, primaryKey: userId }
            sources:
              - id: crm-users
                app: crm
                table: users
                mapping: { column: id, property: userId }
                schedule: { column: updated_at, every: 1h }
            """;

    static TestDatabase db;
    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL)");
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        db.close();
    }

    private Properties crm(String option, String value) {
        Properties p = new Properties();
        DromedaryHarness.app(p, "crm", db, "public");
        p.setProperty("dromedary.apps.crm.password", PASSWORD);
        p.setProperty("dromedary.apps.crm.connect-timeout", "3s");
        p.setProperty("dromedary.apps.crm." + option, value);
        p.setProperty("dromedary.store.app", "crm");
        return p;
    }

    private String startupError(Properties p) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> DromedaryHarness.start(p, SYNC, dir).close());
        assertThat(t).isInstanceOf(DromedaryConfigException.class);
        DromedaryConfigException e = (DromedaryConfigException) t;
        assertThat(e.problems()).hasSize(1);
        String message = e.problems().get(0);
        assertThat(message).doesNotContain(PASSWORD).doesNotContain("\n");
        assertThat(e.getMessage()).doesNotContain(PASSWORD);
        return message;
    }

    @Test
    void unreachableHost_namesTheAppAndTheAddress() {
        assertThat(startupError(crm("port", "1")))
                .startsWith("App 'crm' (127.0.0.1:1/" + db.name() + "): cannot reach 127.0.0.1:1: ")
                .containsIgnoringCase("refused");
    }

    @Test
    void unknownHost_isReportedAsSuch() {
        assertThat(startupError(crm("host", "no-such-host.invalid")))
                .isEqualTo("App 'crm' (no-such-host.invalid:5432/" + db.name() + "): cannot reach host "
                        + "'no-such-host.invalid': unknown host");
    }

    @Test
    void failedLogin_namesTheUser() {
        assertThat(startupError(crm("user", "nobody_here")))
                .startsWith("App 'crm' (127.0.0.1:5432/" + db.name() + "): login refused for user 'nobody_here': ")
                .contains("nobody_here");
    }

    @Test
    void missingDatabase_namesIt() {
        assertThat(startupError(crm("database", "no_such_database_x")))
                .isEqualTo("App 'crm' (127.0.0.1:5432/no_such_database_x): database 'no_such_database_x' does not exist");
    }

    @Test
    void missingSchema_namesItAndTheDatabase() {
        assertThat(startupError(crm("schema", "no_such_schema")))
                .isEqualTo("App 'crm' (127.0.0.1:5432/" + db.name() + "): schema 'no_such_schema' does not exist in "
                        + "database '" + db.name() + "'");
    }

    @Test
    void appToString_masksThePassword() throws Exception {
        var config = new dev.dromedary.config.ApplicationPropertiesReader(
                java.util.Map.of("dromedary.apps.crm.database", "x", "dromedary.apps.crm.password", PASSWORD),
                k -> "application.properties", new dev.dromedary.config.ConfigProblems()).apps().get("crm");
        assertThat(config.toString()).doesNotContain(PASSWORD).contains("password=********");
        assertThat(config.password().reveal()).isEqualTo(PASSWORD);
    }

    @Test
    void missingTable_andColumn_areNamedWithTheirSource() {
        Properties p = crm("schema", "public");
        String sync = SYNC.replace("table: users", "table: userz").replace("column: updated_at", "column: changed");
        assertThatThrownBy(() -> DromedaryHarness.start(p, sync, dir).close())
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("source 'crm-users'.table: table 'userz' does not exist in schema 'public' of App 'crm'");
        String sync2 = SYNC.replace("column: updated_at", "column: changed");
        assertThatThrownBy(() -> DromedaryHarness.start(p, sync2, dir).close())
                .isInstanceOf(DromedaryConfigException.class)
                .hasMessageContaining("source 'crm-users'.schedule.column: column 'changed' does not exist in table 'users'");
    }
}
