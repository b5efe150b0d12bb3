package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.run.RunCounts;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's whole PostgreSQL cluster restarted in the middle of an import (the second local cluster that
 * src/test/scripts/tls-postgres.sh runs on port 5433): the page in flight is retried until the cluster is
 * back, and the run ends exact.
 */
class ClusterRestartIT {
    private static final String SOURCE_URL = "jdbc:postgresql://127.0.0.1:5433/";
    @TempDir
    Path dir;
    TestDatabase store;
    final String sourceDb = "dromedary_restart_" + Long.toHexString(System.nanoTime());

    private static void onSourceCluster(String database, String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection(SOURCE_URL + database, "postgres", "");
             Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    @BeforeEach
    void createData() throws Exception {
        store = TestDatabase.create();
        onSourceCluster("postgres", "CREATE DATABASE " + sourceDb);
        onSourceCluster(sourceDb, "CREATE TABLE users (id int PRIMARY KEY, email text, updated_at timestamptz NOT NULL)",
                "INSERT INTO users SELECT g, 'u' || g || '@x.org', now() - interval '1 hour' FROM generate_series(1, 60000) g",
                "CREATE INDEX ON users (updated_at, id)");
        store.execute("CREATE TABLE customers (id int PRIMARY KEY, email text)");
    }

    @AfterEach
    void dropData() throws Exception {
        onSourceCluster("postgres", "DROP DATABASE IF EXISTS " + sourceDb + " WITH (FORCE)");
        store.close();
    }

    @Test
    void aRestartOfTheSourceCluster_midImport_isRiddenOut() throws Exception {
        Properties p = new Properties();
        DromedaryHarness.app(p, "main", store, "public");
        p.setProperty("dromedary.apps.crm.host", "127.0.0.1");
        p.setProperty("dromedary.apps.crm.port", "5433");
        p.setProperty("dromedary.apps.crm.database", sourceDb);
        p.setProperty("dromedary.apps.crm.user", "postgres");
        p.setProperty("dromedary.apps.crm.connect-timeout", "2s");
        p.setProperty("dromedary.store.app", "main");
        String sync = """
                model: { name: users, primaryKey: userId }
                sources:
                  - id: users
                    app: crm
                    table: users
                    mapping: { column: id, property: userId }
                    properties: [ { name: email, column: email } ]
                    schedule: { column: updated_at, every: 1h, pageSize: 500 }
                destinations:
                  - id: customers
                    app: main
                    table: customers
                    primaryKey: id
                    mappings: { id: userId, email: email }
                """;
        try (DromedaryHarness h = DromedaryHarness.start(p, sync, dir)) {
            CompletableFuture<RunCounts> run = CompletableFuture.supplyAsync(() -> h.importOnce("users"));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> store.queryLong("SELECT count(*) FROM dromedary.records") >= 2000);
            String version = new String(new ProcessBuilder("bash", "-c", "ls /etc/postgresql | sort -V | tail -n 1")
                    .start().getInputStream().readAllBytes()).trim();
            Process restart = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "dromedary_tls",
                    "restart", "-m", "fast").inheritIO().start();
            assertThat(restart.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(restart.exitValue()).isZero();
            RunCounts counts = run.get(120, TimeUnit.SECONDS);
            assertThat(counts.recordsCreated).as("created in the run, around the restart").isGreaterThan(0);
            h.exportOnce("customers");
        }
        assertThat(store.queryLong("SELECT count(*) FROM customers")).isEqualTo(60_000);
        assertThat(store.queryLong("SELECT count(DISTINCT id) FROM customers")).isEqualTo(60_000);
        assertThat(store.rows("SELECT status FROM dromedary.runs WHERE kind = 'import'")).containsExactly(
                java.util.List.of("succeeded"));
    }
}
