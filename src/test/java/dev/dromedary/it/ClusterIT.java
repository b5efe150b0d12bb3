package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes of the packaged jar on one clustered record store, with four schedules. The node running the long
 * users import is killed with SIGKILL; another node picks the job up through Quartz recovery and finishes it from
 * the committed cursor. The run history shows every schedule running on one node at a time, the work spread over
 * the nodes, and the destination ends exact.
 */
class ClusterIT {
    private static final int USERS = 150_000;
    private static final List<String> SMALL = List.of("accounts", "products", "stores");

    private TestDatabase source;
    private TestDatabase destination;
    private final Map<String, Process> nodes = new LinkedHashMap<>();
    @TempDir
    Path dir;

    @BeforeEach
    void createData() throws Exception {
        source = TestDatabase.create();
        destination = TestDatabase.create();
        source.execute("CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, "
                        + "updated_at timestamptz NOT NULL DEFAULT now() - interval '1 hour')",
                "INSERT INTO users (id, email) SELECT g, 'u' || g || '@x.org' FROM generate_series(1, " + USERS + ") g",
                "CREATE INDEX ON users (updated_at, id)");
        destination.execute("CREATE TABLE customers (id int PRIMARY KEY, email text)");
        for (String t : SMALL) {
            source.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, name text NOT NULL, "
                            + "updated_at timestamptz NOT NULL DEFAULT now() - interval '1 hour')",
                    "INSERT INTO " + t + " (id, name) SELECT g, '" + t + " ' || g FROM generate_series(1, 100) g");
            destination.execute("CREATE TABLE " + t + "_copy (id int PRIMARY KEY, name text)");
        }
        writeConfig();
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : nodes.values()) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        source.close();
        destination.close();
    }

    private void writeConfig() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("users.sync.yaml"), """
                model: { name: users, primaryKey: userId }
                sources:
                  - id: users
                    app: src
                    table: users
                    mapping: { column: id, property: userId }
                    properties:
                      - { name: email, column: email }
                    schedule: { column: updated_at, every: 1h, pageSize: 500 }
                destinations:
                  - id: customers
                    app: dst
                    table: customers
                    primaryKey: id
                    batchSize: 5000
                    mappings: { id: userId, email: email }
                """);
        for (String t : SMALL) {
            Files.writeString(routes.resolve(t + ".sync.yaml"), """
                    model: { name: %1$s, primaryKey: key }
                    sources:
                      - id: %1$s
                        app: src
                        table: %1$s
                        mapping: { column: id, property: key }
                        properties:
                          - { name: name, column: name }
                        schedule: { column: updated_at, every: 1s }
                    destinations:
                      - id: %1$s_copy
                        app: dst
                        table: %1$s_copy
                        primaryKey: id
                        mappings: { id: key, name: name }
                    """.formatted(t));
        }
        for (int n = 1; n <= 3; n++) {
            Path node = Files.createDirectories(dir.resolve("node-" + n));
            Files.writeString(node.resolve("application.properties"), String.join("\n",
                    "camel.main.name = dromedary",
                    "dromedary.apps.src.host = " + TestDatabase.HOST,
                    "dromedary.apps.src.port = " + TestDatabase.PORT,
                    "dromedary.apps.src.database = " + source.name(),
                    "dromedary.apps.src.user = " + TestDatabase.USER,
                    "dromedary.apps.dst.host = " + TestDatabase.HOST,
                    "dromedary.apps.dst.port = " + TestDatabase.PORT,
                    "dromedary.apps.dst.database = " + destination.name(),
                    "dromedary.apps.dst.user = " + TestDatabase.USER,
                    "dromedary.store.app = dst",
                    "dromedary.sync-files = " + routes.toAbsolutePath() + "/*.sync.yaml",
                    "dromedary.cluster.enabled = true",
                    "dromedary.cluster.node-id = node-" + n,
                    "dromedary.cluster.checkin-interval = 1s", ""));
        }
    }

    private void start(String node) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", new File("target/dromedary-runnable.jar").getAbsolutePath());
        nodes.put(node, new ProcessBuilder(cmd).directory(dir.resolve(node).toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(node + ".log").toFile()).start());
    }

    private String queryString(String sql) {
        try {
            List<List<String>> rows = destination.rows(sql);
            return rows.isEmpty() ? null : rows.get(0).get(0);
        } catch (Exception e) {
            return null; // the store is not migrated yet
        }
    }

    private String logs() throws Exception {
        StringBuilder all = new StringBuilder();
        for (String node : nodes.keySet()) {
            List<String> lines = Files.readAllLines(dir.resolve(node + ".log"));
            all.append("--- ").append(node).append('\n')
                    .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()))).append('\n');
        }
        return all.toString();
    }

    private void awaitOrExplain(String what, Duration atMost, java.util.concurrent.Callable<Boolean> done)
            throws Exception {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(done);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + "; runs: "
                    + destination.rows("SELECT id, kind, name, node, status, error FROM dromedary.runs "
                    + "WHERE name NOT IN ('accounts', 'products', 'stores') ORDER BY id") + "\n" + logs(), e);
        }
    }

    @Test
    void aKilledNodesSyncIsFinishedByAnother_eachScheduleRunsOnOneNodeAtATime_andWorkSpreads() throws Exception {
        long t0 = System.nanoTime();
        for (int n = 1; n <= 3; n++) {
            start("node-" + n);
        }
        // The users import is long (150,000 rows in pages of 500): kill its node once part of it is committed.
        String[] runningOn = new String[1];
        awaitOrExplain("the users import running with 20,000 records committed", Duration.ofSeconds(150), () -> {
            runningOn[0] = queryString("SELECT node FROM dromedary.runs WHERE name = 'users' AND status = 'running'");
            String created = queryString("SELECT count(*) FROM dromedary.records WHERE model = 'users'");
            return runningOn[0] != null && created != null && Long.parseLong(created) >= 20_000;
        });
        String killed = runningOn[0];
        long killedAt = (System.nanoTime() - t0) / 1_000_000;
        assertThat(nodes).containsKey(killed);
        nodes.get(killed).destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL, mid-import
        long committedAtKill = destination.queryLong("SELECT count(*) FROM dromedary.records WHERE model = 'users'");
        assertThat(committedAtKill).isLessThan(USERS);

        // Quartz declares the node dead after its check-in interval plus 7.5 s and fires the job again elsewhere.
        awaitOrExplain("another node resuming the users import", Duration.ofSeconds(90), () ->
                destination.queryLong("SELECT count(*) FROM dromedary.runs WHERE name = 'users'") == 2);
        long resumedAfter = (System.nanoTime() - t0) / 1_000_000 - killedAt;
        awaitOrExplain("another node finishing the users sync", Duration.ofSeconds(240), () ->
                destination.queryLong("SELECT count(*) FROM dromedary.runs e JOIN dromedary.runs i "
                        + "ON i.name = 'users' AND i.status = 'succeeded' AND e.id > i.id "
                        + "WHERE e.name = 'customers' AND e.status = 'succeeded'") > 0);
        long finishedAt = (System.nanoTime() - t0) / 1_000_000;
        // A change made now is still picked up by the surviving nodes.
        source.execute("UPDATE accounts SET name = 'renamed', updated_at = now() WHERE id <= 10");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                destination.queryLong("SELECT count(*) FROM accounts_copy WHERE name = 'renamed'") == 10);
        for (var e : nodes.entrySet()) {
            if (!e.getKey().equals(killed)) {
                e.getValue().destroy(); // SIGTERM: a graceful stop
                assertThat(e.getValue().waitFor(60, TimeUnit.SECONDS)).as(e.getKey() + " stops").isTrue();
            }
        }

        // The killed run was closed by the node that resumed it, which went on from the committed cursor.
        List<List<String>> userRuns = destination.rows("SELECT node, status, coalesce(error, ''), rows_read "
                + "FROM dromedary.runs WHERE name = 'users' ORDER BY id");
        assertThat(userRuns).as(logs()).hasSize(2);
        assertThat(userRuns.get(0).get(0)).isEqualTo(killed);
        assertThat(userRuns.get(0).get(1)).isEqualTo("failed");
        assertThat(userRuns.get(0).get(2)).startsWith("abandoned: node " + killed + " stopped during the run");
        assertThat(userRuns.get(1).get(0)).isNotEqualTo(killed);
        assertThat(userRuns.get(1).get(1)).isEqualTo("succeeded");
        assertThat(Long.parseLong(userRuns.get(1).get(3))).as("rows read by the resumed run")
                .isLessThanOrEqualTo(USERS - committedAtKill + 500);

        // The destination equals the source, row by row.
        assertThat(destination.rows("SELECT id, email FROM customers ORDER BY id"))
                .isEqualTo(source.rows("SELECT id, email FROM users ORDER BY id"));
        for (String t : SMALL) {
            assertThat(destination.rows("SELECT id, name FROM " + t + "_copy ORDER BY id"))
                    .isEqualTo(source.rows("SELECT id, name FROM " + t + " ORDER BY id"));
        }

        // No two runs of one schedule or destination ever overlapped, on any nodes.
        assertThat(destination.queryLong("SELECT count(*) FROM dromedary.runs a JOIN dromedary.runs b "
                + "ON a.kind = b.kind AND a.name = b.name AND a.id < b.id "
                + "AND tstzrange(a.started_at, coalesce(a.ended_at, 'infinity')) "
                + "&& tstzrange(b.started_at, coalesce(b.ended_at, 'infinity'))")).isZero();
        // Each firing ran once in the whole cluster: a 1 s schedule ran about once a second, not once per node (the
        // slack is for Quartz's recovery firing of a job the killed node held, and a misfire fired late).
        for (String t : SMALL) {
            List<String> r = destination.rows("SELECT count(*), extract(epoch FROM max(started_at) - min(started_at)) "
                    + "FROM dromedary.runs WHERE kind = 'import' AND name = '" + t + "'").get(0);
            assertThat(Long.parseLong(r.get(0))).as(t + " runs over " + r.get(1) + " s")
                    .isGreaterThan(5).isLessThanOrEqualTo((long) Math.ceil(Double.parseDouble(r.get(1))) + 4);
        }
        // The small schedules (and the exports that follow them) spread over the nodes: whichever node has a free
        // thread takes the next due trigger.
        assertThat(destination.queryLong("SELECT count(DISTINCT node) FROM dromedary.runs WHERE kind = 'import' "
                + "AND name IN ('accounts', 'products', 'stores')")).as("nodes that ran the small schedules")
                .isGreaterThanOrEqualTo(2);
        List<String> ran = new ArrayList<>(destination.rows("SELECT node || ': ' || count(*) FROM dromedary.runs "
                + "GROUP BY node ORDER BY node").stream().map(row -> row.get(0)).toList());
        System.out.println("Cluster: killed " + killed + " after " + killedAt + " ms at " + committedAtKill
                + " users; resumed by " + userRuns.get(1).get(0) + " " + resumedAfter + " ms after the kill, finished at "
                + finishedAt + " ms; runs per node " + ran);
    }

    @Test
    void aScheduleRemovedFromTheConfiguration_leavesTheClustersStore() throws Exception {
        String triggers = "SELECT string_agg(trigger_name, ',' ORDER BY trigger_name) FROM dromedary.qrtz_triggers";
        start("node-1");
        awaitOrExplain("the four triggers", Duration.ofSeconds(60), () ->
                "accounts,products,stores,users".equals(queryString(triggers)));
        Process first = nodes.get("node-1");
        first.destroy();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();

        Files.delete(dir.resolve("routes/stores.sync.yaml"));
        start("node-2");
        awaitOrExplain("the stores trigger removed", Duration.ofSeconds(60), () ->
                "accounts,products,users".equals(queryString(triggers)));
        assertThat(destination.queryLong("SELECT count(*) FROM dromedary.qrtz_job_details WHERE job_name = 'stores'"))
                .isZero();
    }
}
