package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.Dromedary;
import dev.dromedary.routes.SyncRouteBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dromedary inside a host's plain CamelContext, next to the host's own routes and properties. */
class EmbeddingIT {
    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void createTables() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE users (id int PRIMARY KEY, email text, updated_at timestamptz NOT NULL)",
                "INSERT INTO users SELECT g, 'u' || g || '@x.org', now() FROM generate_series(1, 300) g",
                "CREATE TABLE customers (id int PRIMARY KEY, email text)");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    @Test
    void installsBesideTheHostsRoutes_fromItsOwnPropertiesFile() throws Exception {
        Files.createDirectories(dir.resolve("sync"));
        Files.writeString(dir.resolve("sync/users.sync.yaml"), """
                model: { name: users, primaryKey: userId }
                sources:
                  - id: users
                    app: main
                    table: users
                    mapping: { column: id, property: userId }
                    properties: [ { name: email, column: email } ]
                    schedule: { column: updated_at, every: 1h }
                destinations:
                  - id: customers
                    app: main
                    table: customers
                    primaryKey: id
                    mappings: { id: userId, email: email }
                """);
        Files.writeString(dir.resolve("dromedary.properties"), String.join("\n",
                "dromedary.apps.main.host = " + TestDatabase.HOST,
                "dromedary.apps.main.database = " + db.name(),
                "dromedary.apps.main.user = " + TestDatabase.USER,
                "dromedary.apps.main.password = {{host.secret}}",
                "dromedary.store.app = main",
                "dromedary.sync-files = sync/*.sync.yaml", ""));

        try (CamelContext host = new DefaultCamelContext()) {
            Properties hostProps = new Properties();
            hostProps.setProperty("host.secret", "from-the-host");
            hostProps.setProperty("greeting", "hello");
            host.getPropertiesComponent().setInitialProperties(hostProps);
            host.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:greet").routeId("host-greet").setBody(simple("{{greeting}} ${body}"));
                }
            });

            Dromedary d = Dromedary.install(host, dir.resolve("dromedary.properties"), Dromedary.Mode.ON_DEMAND);
            host.start();

            try (ProducerTemplate t = host.createProducerTemplate()) {
                t.requestBody(SyncRouteBuilder.RUN_SOURCE + "users", (Object) null);
                assertThat(t.requestBody("direct:greet", "world", String.class)).isEqualTo("hello world");
            }
            assertThat(db.queryLong("SELECT count(*) FROM customers")).isEqualTo(300);
            assertThat(host.getRoutes()).extracting(r -> r.getRouteId())
                    .contains("host-greet", "import-users", "export-customers", "schedule-users");
            assertThat(host.getRegistry().lookupByName("main")).isInstanceOf(javax.sql.DataSource.class);
            assertThat(host.getPropertiesComponent().resolveProperty("greeting")).contains("hello");
            assertThat(d.destinationIds()).containsExactly("customers");
        }
    }
}
