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
        HikariConfig c = new HikariConfig();
        c.setPoolName("dromedary-" + app.name());
        c.setJdbcUrl(ConnectionProperties.url(app));
        c.setDataSourceProperties(ConnectionProperties.of(app));
        c.setMaximumPoolSize(app.poolSize());
        c.setMinimumIdle(0);
        c.setConnectionTimeout(Math.max(250, app.connectTimeout().toMillis()));
        // Connect lazily: the start-up check reports connection problems with clearer words than the pool.
        c.setInitializationFailTimeout(-1);
        HikariDataSource ds = new HikariDataSource(c);
        pools.put(app.name(), ds);
        return ds;
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
