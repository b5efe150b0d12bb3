package dev.dromedary.app;

import dev.dromedary.config.Secret;
import java.time.Duration;

/**
 * One App: a named PostgreSQL connection. All reads and writes of the App happen inside {@code schema}.
 * toString() never shows the password.
 */
public record AppConfig(
        String name,
        String host,
        int port,
        String database,
        String schema,
        String user,
        Secret password,
        boolean ssl,
        String sslCertificate,
        String sslKey,
        String sslCertificateAuthority,
        int poolSize,
        Duration connectTimeout,
        Duration statementTimeout,
        Duration lockTimeout,
        String refreshQuery,
        Duration refreshEvery) {

    public static final String DEFAULT_HOST = "localhost";
    public static final int DEFAULT_PORT = 5432;
    public static final String DEFAULT_SCHEMA = "public";
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_REFRESH_EVERY = Duration.ofMinutes(1);

    /** host:port/database, for messages (never carries credentials). */
    public String address() {
        return host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return "App[" + name + " " + address() + " schema=" + schema + " user=" + user + " password=" + password
                + " ssl=" + ssl + "]";
    }
}
