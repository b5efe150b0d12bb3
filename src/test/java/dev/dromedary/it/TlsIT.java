package dev.dromedary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dromedary.app.AppChecker;
import dev.dromedary.app.AppConfig;
import dev.dromedary.app.AppDataSources;
import dev.dromedary.config.ApplicationPropertiesReader;
import dev.dromedary.config.ConfigProblems;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Apps over TLS, against the second local cluster that src/test/scripts/tls-postgres.sh prepares (port 5433,
 * server certificate from a test CA, client-certificate login for role dromedary_cert).
 */
class TlsIT {
    private static final String DIR = "/var/lib/postgresql/dromedary-tls/";

    private static AppConfig app(Map<String, String> options) {
        Map<String, String> p = new HashMap<>();
        p.put("dromedary.apps.tls.host", "localhost");
        p.put("dromedary.apps.tls.port", "5433");
        p.put("dromedary.apps.tls.database", "postgres");
        p.put("dromedary.apps.tls.user", "postgres");
        options.forEach((k, v) -> p.put("dromedary.apps.tls." + k, v));
        ConfigProblems problems = new ConfigProblems();
        AppConfig app = new ApplicationPropertiesReader(p, k -> "application.properties", problems).apps().get("tls");
        assertThat(problems.all()).isEmpty();
        return app;
    }

    private static boolean sessionIsEncrypted(AppConfig app) throws Exception {
        AppDataSources pools = new AppDataSources();
        try (Connection c = pools.create(app).getConnection();
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rs.next();
            return rs.getBoolean(1);
        } finally {
            pools.stop();
        }
    }

    @Test
    void sslAlone_encrypts() throws Exception {
        AppConfig app = app(Map.of("ssl", "true"));
        assertThat(AppChecker.problem(app)).isNull();
        assertThat(sessionIsEncrypted(app)).isTrue();
        assertThat(sessionIsEncrypted(app(Map.of("ssl", "false")))).as("and ssl=false does not").isFalse();
    }

    @Test
    void aGivenCa_verifiesTheServer_andRefusesOneFromAnotherCa() throws Exception {
        assertThat(AppChecker.problem(app(Map.of("ssl-certificate-authority", DIR + "ca.crt")))).isNull();
        String refused = AppChecker.problem(app(Map.of("ssl-certificate-authority", DIR + "other-ca.crt")));
        assertThat(refused).startsWith("App 'tls' (localhost:5433/postgres): SSL connection failed: ")
                .doesNotContain("\n");
    }

    @Test
    void aClientCertificate_logsInWherePgHbaDemandsCert() throws Exception {
        AppConfig withCert = app(Map.of("user", "dromedary_cert", "ssl-certificate-authority", DIR + "ca.crt",
                "ssl-certificate", DIR + "client.crt", "ssl-key", DIR + "client.pk8"));
        assertThat(AppChecker.problem(withCert)).isNull();
        assertThat(sessionIsEncrypted(withCert)).isTrue();
        String without = AppChecker.problem(app(Map.of("user", "dromedary_cert", "ssl-certificate-authority",
                DIR + "ca.crt")));
        assertThat(without).startsWith("App 'tls' (localhost:5433/postgres): ").contains("dromedary_cert");
    }

    @Test
    void aWrongPassword_isNamedAsSuch_andNeverShown() {
        // the TLS cluster demands scram-sha-256 for role dromedary_pw
        assertThat(AppChecker.problem(app(Map.of("user", "dromedary_pw", "password", "right-Pa55word")))).isNull();
        String wrong = AppChecker.problem(app(Map.of("user", "dromedary_pw", "password", "Wr0ng-Pa55word")));
        assertThat(wrong).isEqualTo("App 'tls' (localhost:5433/postgres): login failed for user 'dromedary_pw': "
                + "wrong password").doesNotContain("Wr0ng-Pa55word");
    }
}
