package dev.dromedary.config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;

/**
 * Clustered scheduling: several nodes share Quartz's JDBC job store in the record store.
 *
 * @param enabled         whether schedules run on the shared, clustered Quartz scheduler
 * @param nodeId          this process's name in the cluster and in run history; unique per running node
 * @param checkinInterval how often a node tells the others it is alive; a silent node is declared dead after
 *                        about this interval plus 7.5 s
 * @param threads         how many schedules this node runs at once
 */
public record ClusterConfig(boolean enabled, String nodeId, Duration checkinInterval, int threads) {
    public static final Duration DEFAULT_CHECKIN_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_THREADS = 4;

    public static ClusterConfig off() {
        return new ClusterConfig(false, defaultNodeId(), DEFAULT_CHECKIN_INTERVAL, DEFAULT_THREADS);
    }

    /** host:pid, unique per process on a network of hosts with distinct names. */
    public static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
