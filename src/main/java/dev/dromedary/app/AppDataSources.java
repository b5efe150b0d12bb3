package dev.dromedary.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.support.service.ServiceSupport;

/** One HikariCP pool per App, closed when the CamelContext stops. */
public final class AppDataSources extends ServiceSupport {
    private final Map<String, HikariDataSource> pools = new LinkedHashMap<>();

    public DataSource create(AppConfig app) {
        HikariDataSource ds = pool(app, "dromedary-" + app.name(), app.poolSize());
        pools.put(app.name(), ds);
        return ds;
    }

    /** A second pool of the App's connections for one purpose, closed with the others. */
    public DataSource create(AppConfig app, String purpose, int size) {
        HikariDataSource ds = pool(app, "dromedary-" + app.name() + "-" + purpose, size);
        pools.put(app.name() + "/" + purpose, ds);
        return ds;
    }

    /** A pool of the App's connections that the caller owns and closes. */
    public static HikariDataSource pool(AppConfig app, String name, int size) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(name);
        c.setJdbcUrl(ConnectionProperties.url(app));
        c.setDataSourceProperties(ConnectionProperties.of(app));
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(0);
        c.setConnectionTimeout(Math.max(250, app.connectTimeout().toMillis()));
        // Connect lazily: the start-up check reports connection problems with clearer words than the pool.
        c.setInitializationFailTimeout(-1);
        return new HikariDataSource(c);
    }

    @Override
    protected void doStart() {
        // pools are created started
    }

    @Override
    protected void doStop() {
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
