package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar killed with SIGKILL at eleven points of a 200,000-record sync (import pages, the secondary
 * source, group evaluation, the export batches), restarted with --once each time; at the end the destination equals what SQL
 * computes from the source: no missing row, no duplicate, no stale value, group rows exact.
 */
class CrashSafetyIT {
    static TestDatabase source;
    static TestDatabase destination;
    @TempDir
    Path dir;

    @BeforeAll
    static void createData() throws Exception {
        source = TestDatabase.create();
        destination = TestDatabase.create();
        source.execute("""
                CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, country text, ltv numeric(10,2),
                  updated_at timestamptz NOT NULL)""",
                "INSERT INTO users SELECT g, 'u' || g || '@x.org', (ARRAY['NZ','FR','DE'])[1 + g % 3], g % 1000, "
                        + "now() - interval '1 hour' + (g % 997) * interval '1 millisecond' FROM generate_series(1, 200000) g",
                "CREATE INDEX ON users (updated_at, id)",
                """
                CREATE TABLE purchases (id serial PRIMARY KEY, user_id int NOT NULL, amount numeric(10,2) NOT NULL,
                  updated_at timestamptz NOT NULL DEFAULT now() - interval '1 hour')""",
                "INSERT INTO purchases (user_id, amount) SELECT g % 200000 + 1, g % 97 FROM generate_series(1, 400000) g",
                "CREATE INDEX ON purchases (user_id)", "CREATE INDEX ON purchases (updated_at, id)");
        destination.execute("CREATE TABLE customers (id int PRIMARY KEY, email text, ltv numeric(10,2), spent numeric(12,2), "
                        + "orders int)",
                "CREATE TABLE customer_groups (customer_id int NOT NULL, group_name text NOT NULL)");
    }

    @AfterAll
    static void dropData() throws Exception {
        source.close();
        destination.close();
    }

    private void writeConfig() throws Exception {
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "dromedary.apps.src.host = " + TestDatabase.HOST,
                "dromedary.apps.src.database = " + source.name(),
                "dromedary.apps.src.user = " + TestDatabase.USER,
                "dromedary.apps.dst.host = " + TestDatabase.HOST,
                "dromedary.apps.dst.database = " + destination.name(),
                "dromedary.apps.dst.user = " + TestDatabase.USER,
                "dromedary.store.app = dst", ""));
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/crash.sync.yaml"), """
                model: { name: users, primaryKey: userId }
                sources:
                  - id: users
                    app: src
                    table: users
                    primary: true
                    mapping: { column: id, property: userId }
                    properties:
                      - { name: email, column: email }
                      - { name: country, column: country }
                      - { name: ltv, column: ltv, type: float }
                    schedule: { column: updated_at, every: 1h, pageSize: 5000 }
                  - id: purchases
                    app: src
                    table: purchases
                    mapping: { column: user_id, property: userId }
                    properties:
                      - { name: spent, column: amount, type: float, aggregation: sum }
                      - { name: orders, column: amount, type: integer, aggregation: count }
                    schedule: { column: updated_at, every: 1h, pageSize: 5000 }
                groups:
                  - name: kiwis
                    rules: [ { property: country, op: eq, value: NZ } ]
                  - name: big
                    rules: [ { property: spent, op: gte, value: "100" } ]
                destinations:
                  - id: customers
                    app: dst
                    table: customers
                    primaryKey: id
                    batchSize: 5000
                    mappings: { id: userId, email: email, ltv: ltv, spent: spent, orders: orders }
                    groupsTable: customer_groups
                    groupForeignKey: customer_id
                    groupColumnName: group_name
                    groups: { kiwis: Kiwis, big: Big }
                """);
    }

    private Process start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", new File("target/dromedary-runnable.jar").getAbsolutePath(), "--once"));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("run.log").toFile()).start();
    }

    /** A point in the sync, read from the store and the destination while the jar runs. */
    private record KillPoint(String name, String sql) {
    }

    private long query(String sql) {
        try {
            return destination.queryLong(sql);
        } catch (Exception e) {
            return -1; // the store is not there yet
        }
    }

    @Test
    void killedAtElevenPoints_andRestarted_theDestinationEndsExact() throws Exception {
        writeConfig();
        List<KillPoint> points = List.of(
                new KillPoint("users import, 20,000 records", "SELECT count(*) FROM dromedary.records"),
                new KillPoint("users import, 80,000 records", "SELECT count(*) FROM dromedary.records"),
                new KillPoint("users import, 150,000 records", "SELECT count(*) FROM dromedary.records"),
                new KillPoint("purchases import running", "SELECT count(*) FROM dromedary.runs WHERE name = 'purchases' "
                        + "AND status = 'running'"),
                new KillPoint("purchases import, 40,000 records enriched", "SELECT count(*) FROM dromedary.records "
                        + "WHERE properties ? 'spent'"),
                new KillPoint("purchases import, 120,000 records enriched", "SELECT count(*) FROM dromedary.records "
                        + "WHERE properties ? 'spent'"),
                // The group UPDATE is one statement: kill while it runs, or (if it was too quick) as exports begin.
                new KillPoint("group evaluation (or right after)", "SELECT count(*) FROM pg_stat_activity WHERE "
                        + "state = 'active' AND query LIKE 'WITH t AS (SELECT r.pk, array_remove%' "
                        + "UNION ALL SELECT count(*) FROM dromedary.runs WHERE kind = 'export' ORDER BY 1 DESC LIMIT 1"),
                new KillPoint("export started", "SELECT count(*) FROM dromedary.runs WHERE kind = 'export'"),
                new KillPoint("export, 30,000 rows", "SELECT count(*) FROM customers"),
                new KillPoint("export, 100,000 rows", "SELECT count(*) FROM customers"),
                new KillPoint("export, 170,000 rows", "SELECT count(*) FROM customers"));
        long[] thresholds = {20_000, 80_000, 150_000, 1, 40_000, 120_000, 1, 1, 30_000, 100_000, 170_000};
        int killed = 0;
        for (int i = 0; i < points.size(); i++) {
            Process p = start();
            boolean hit = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (p.isAlive() && System.nanoTime() < deadline) {
                if (query(points.get(i).sql()) >= thresholds[i]) {
                    p.destroyForcibly(); // SIGKILL
                    hit = true;
                    break;
                }
                Thread.sleep(20);
            }
            p.waitFor(30, TimeUnit.SECONDS);
            if (hit) {
                killed++;
            }
            System.out.println("kill point " + (i + 1) + " (" + points.get(i).name() + "): "
                    + (hit ? "killed" : "run ended first"));
        }
        Process last = start();
        assertThat(last.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).as(Files.readString(dir.resolve("run.log"))).isZero();
        System.out.println("Crash safety: " + killed + " of " + points.size() + " kill points survived");
        assertThat(killed).as("kill points reached").isGreaterThanOrEqualTo(9);

        // What SQL computes from the source, row by row against the destination (two databases).
        List<List<String>> expected = source.rows("""
                SELECT u.id, u.email, u.ltv, coalesce(sum(p.amount), 0), count(p.amount)
                FROM users u LEFT JOIN purchases p ON p.user_id = u.id GROUP BY u.id ORDER BY u.id""");
        List<List<String>> actual = destination.rows(
                "SELECT id, email, ltv, spent, orders FROM customers ORDER BY id");
        assertThat(actual).hasSize(200_000);
        for (int i = 0; i < expected.size(); i++) {
            List<String> e = expected.get(i);
            List<String> a = actual.get(i);
            assertThat(a.get(0)).isEqualTo(e.get(0));
            assertThat(a.get(1)).isEqualTo(e.get(1));
            assertThat(new java.math.BigDecimal(a.get(2))).isEqualByComparingTo(e.get(2));
            assertThat(new java.math.BigDecimal(a.get(3))).as("spent of " + e.get(0)).isEqualByComparingTo(e.get(3));
            assertThat(a.get(4)).isEqualTo(e.get(4));
        }
        long expectedGroupRows = source.queryLong("SELECT count(*) FROM users WHERE country = 'NZ'")
                + source.queryLong("SELECT count(*) FROM (SELECT user_id FROM purchases GROUP BY 1 HAVING sum(amount) >= 100) b");
        assertThat(destination.queryLong("SELECT count(*) FROM customer_groups")).isEqualTo(expectedGroupRows);
        assertThat(destination.queryLong("SELECT count(*) FROM (SELECT customer_id, group_name FROM customer_groups "
                + "GROUP BY 1, 2 HAVING count(*) > 1) d")).as("no duplicate group row").isZero();
    }
}
