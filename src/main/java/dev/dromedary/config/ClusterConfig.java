package dev.dromedary.config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;

/**
 * Clustered scheduling: several nodes share Quartz's JDBC job store in the record store.
 *
 * @param enabled         whether schedules run on the shared, clustered Quartz scheduler
 * @param nodeId          this process's name in the cluster and in run history; unique per running node, at most
 *                        {@link #MAX_NODE_ID} characters
 * @param checkinInterval how often a node tells the others it is alive; a silent node is declared dead after
 *                        about this interval plus 7.5 s
 * @param threads         how many schedules this node runs at once
 */
public record ClusterConfig(boolean enabled, String nodeId, Duration checkinInterval, int threads) {
    public static final Duration DEFAULT_CHECKIN_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_THREADS = 4;
    public static final int MAX_NODE_ID = 80;

    public static ClusterConfig off() {
        return new ClusterConfig(false, defaultNodeId(), DEFAULT_CHECKIN_INTERVAL, DEFAULT_THREADS);
    }

    /**
     * host:pid:random. The random part keeps it unique where host and pid repeat (containers that share a host
     * name all run as pid 1).
     */
    public static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        String suffix = ":" + ManagementFactory.getRuntimeMXBean().getPid() + ":"
                + String.format("%06x", new java.security.SecureRandom().nextInt(1 << 24));
        return host.substring(0, Math.min(host.length(), MAX_NODE_ID - suffix.length())) + suffix;
    }
}
