package dev.dromedary.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/** Turns an App into pgjdbc's URL and connection properties (shared by the pool and the start-up check). */
public final class ConnectionProperties {
    private ConnectionProperties() {
    }

    public static String url(AppConfig app) {
        return "jdbc:postgresql://" + app.host() + ":" + app.port() + "/";
    }

    public static Properties of(AppConfig app) {
        Properties p = new Properties();
        p.setProperty("PGDBNAME", app.database() == null ? "" : app.database());
        if (app.user() != null) {
            p.setProperty("user", app.user());
        }
        if (app.password().isPresent()) {
            p.setProperty("password", app.password().reveal());
        }
        // search_path is the App's schema only: every unqualified name resolves inside it.
        p.setProperty("currentSchema", app.schema());
        p.setProperty("ApplicationName", "dromedary-" + app.name());
        // pgjdbc takes whole seconds; round up so 500ms is not "no timeout".
        p.setProperty("connectTimeout", Long.toString(Math.max(1, (app.connectTimeout().toMillis() + 999) / 1000)));
        p.setProperty("tcpKeepAlive", "true");
        StringBuilder options = new StringBuilder();
        if (!app.statementTimeout().isZero()) {
            options.append("-c statement_timeout=").append(app.statementTimeout().toMillis()).append(' ');
        }
        if (!app.lockTimeout().isZero()) {
            options.append("-c lock_timeout=").append(app.lockTimeout().toMillis()).append(' ');
        }
        // Dromedary's statements are many and each covers one page: compiling one with JIT cost more than it saved
        // (a page's aggregate of 10,000 keys: 79-93 ms with JIT, 56-75 ms without).
        options.append("-c jit=off -c timezone=UTC");
        p.setProperty("options", options.toString());
        if (!app.ssl()) {
            p.setProperty("sslmode", "disable");
        } else {
            // With a CA the server is verified (verify-full); ssl alone only encrypts (require).
            p.setProperty("sslmode", app.sslCertificateAuthority() != null ? "verify-full" : "require");

            if (app.sslCertificateAuthority() != null) {
                p.setProperty("sslrootcert", fileOrInline(app.sslCertificateAuthority(), "ca", ".crt"));
            }
            if (app.sslCertificate() != null) {
                p.setProperty("sslcert", fileOrInline(app.sslCertificate(), "cert", ".crt"));
            }
            if (app.sslKey() != null) {
                p.setProperty("sslkey", fileOrInline(app.sslKey(), "key", ".pk8"));
            }
        }
        return p;
    }

    /** pgjdbc reads certificates from files: inline PEM text is written to a private temporary file. */
    static String fileOrInline(String value, String kind, String suffix) {
        if (!value.trim().startsWith("-----BEGIN")) {
            return value;
        }
        try {
            Path f = Files.createTempFile("dromedary-" + kind + "-", suffix,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, value.trim() + "\n");
            f.toFile().deleteOnExit();
            return f.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write inline " + kind + " to a temporary file", e);
        }
    }
}
