package dev.dromedary.routes;

import com.zaxxer.hikari.HikariDataSource;
import dev.dromedary.app.AppConfig;
import dev.dromedary.app.AppDataSources;
import dev.dromedary.config.ClusterConfig;
import dev.dromedary.sql.Identifiers;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerKey;
import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.quartz.impl.jdbcjobstore.PostgreSQLDelegate;
import org.quartz.utils.ConnectionProvider;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points camel-quartz at Quartz's clustered JDBC job store in the record store (tables from migration V7). Every
 * node with the same store and CamelContext name joins one scheduler: each trigger fires on one node, a node's
 * triggers pass to the others when it stops checking in, and jobs it was running are fired again elsewhere.
 */
public final class ClusteredScheduler {
    /** Quartz's scheduler name; camel-quartz appends the CamelContext name, so nodes must share it. */
    static final String INSTANCE_NAME = "dromedary";
    /** The trigger groups of Dromedary's schedules (see {@link QuartzUris}). */
    static final List<String> GROUPS = List.of(QuartzUris.SOURCES, QuartzUris.GROUPS, QuartzUris.REFRESH);
    private static final Logger LOG = LoggerFactory.getLogger(ClusteredScheduler.class);
    /** Names Quartz's connection provider in its JVM-wide registry, once per install. */
    private static final java.util.concurrent.atomic.AtomicInteger INSTALLS = new java.util.concurrent.atomic.AtomicInteger();

    private ClusteredScheduler() {
    }

    /** Must run before the first Quartz route is added: the component reads its properties when it starts. */
    public static void configure(CamelContext context, ClusterConfig cluster, AppConfig storeApp, String schema)
            throws Exception {
        // Created, not started: a started component has already built its scheduler.
        QuartzComponent quartz = (QuartzComponent) context.getComponent("quartz", true, false);
        if (quartz.isStarted()) {
            throw new IllegalStateException("dromedary.cluster.enabled: the quartz component was started before "
                    + "Dromedary was installed, so it cannot join the cluster; install Dromedary before adding other "
                    + "Quartz routes, or configure camel.component.quartz yourself");
        }
        // Quartz's own small pool, closed with the scheduler: its threads, check-in and misfire handling.
        String dataSource = "dromedary-quartz-" + schema + "-" + INSTALLS.incrementAndGet();
        HikariDataSource pool = AppDataSources.pool(storeApp, dataSource, cluster.threads() + 3);
        DBConnectionManager.getInstance().addConnectionProvider(dataSource, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return pool.getConnection();
            }

            @Override
            public void shutdown() {
                pool.close();
            }

            @Override
            public void initialize() {
                // the pool connects lazily
            }
        });

        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", INSTANCE_NAME);
        p.setProperty("org.quartz.scheduler.instanceId", cluster.nodeId());
        p.setProperty("org.quartz.threadPool.class", org.quartz.simpl.SimpleThreadPool.class.getName());
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(cluster.threads()));
        p.setProperty("org.quartz.jobStore.class", JobStoreTX.class.getName());
        p.setProperty("org.quartz.jobStore.driverDelegateClass", PostgreSQLDelegate.class.getName());
        p.setProperty("org.quartz.jobStore.dataSource", dataSource);
        p.setProperty("org.quartz.jobStore.tablePrefix", Identifiers.quote(schema) + ".qrtz_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(cluster.checkinInterval().toMillis()));
        // Triggers are taken under Quartz's row lock, so two nodes never acquire the same one.
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        // Its MBean name would embed the node id, which may hold characters JMX refuses (host:pid).
        p.setProperty("org.quartz.scheduler.jmx.export", "false");
        quartz.setProperties(p);
        // camel-quartz leaves a clustered scheduler running while routes stop; it would take firings it then drops.
        context.addLifecycleStrategy(new org.apache.camel.support.LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext stopping) {
                try {
                    if (quartz.getScheduler() != null && quartz.getScheduler().isStarted()) {
                        quartz.getScheduler().standby();
                    }
                } catch (SchedulerException e) {
                    LOG.warn("Could not put the cluster's scheduler in standby: {}", e.getMessage());
                }
            }
        });
        context.addStartupListener(new org.apache.camel.ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the routes' triggers are in place only once the context has fully started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) throws Exception {
                removeStale(started, quartz);
            }
        });
    }

    /**
     * A schedule removed from the configuration would keep its trigger in the shared store, firing on no route:
     * Dromedary's triggers that no route of this configuration defines are removed. The newest configuration wins,
     * as it does for a changed interval.
     */
    static void removeStale(CamelContext context, QuartzComponent quartz) throws SchedulerException {
        Set<TriggerKey> current = new HashSet<>();
        for (Route route : context.getRoutes()) {
            if (route.getEndpoint() instanceof QuartzEndpoint q) {
                current.add(q.getTriggerKey());
            }
        }
        Scheduler scheduler = quartz.getScheduler();
        for (String group : GROUPS) {
            for (TriggerKey key : scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(group))) {
                if (!current.contains(key)) {
                    LOG.info("Removing the cluster's trigger {}: no schedule of this configuration defines it", key);
                    scheduler.unscheduleJob(key);
                }
            }
        }
    }
}
