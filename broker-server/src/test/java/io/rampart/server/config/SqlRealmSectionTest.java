package io.rampart.server.config;

import io.rampart.security.realm.sql.SqlRealmSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SqlRealmSectionTest {

    private static final String HEAD = """
            data-dir: /var/lib/rampart
            listeners:
              - {type: tcp, name: t, port: 1883}
            security:
              realms:
            """;

    private static BrokerConfig parse(String realm, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(HEAD + realm.indent(4), "test.yaml", env::get);
    }

    private static SqlRealmSettings settings(String realm, Map<String, String> env) throws ConfigException {
        return (SqlRealmSettings) parse(realm, env).security().realms().get(0).settings();
    }

    private static String failure(String realm) {
        try {
            parse(realm, Map.of());
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException");
    }

    @Test
    void withoutJdbcUrl_usesTheEmbeddedDatabaseInTheDataDirectory() throws ConfigException {
        SqlRealmSettings s = settings("- {name: local, type: sql}", Map.of());

        assertThat(s.embedded()).isTrue();
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:h2:file:" + Path.of("/var/lib/rampart/realms/local/rampart"));
        assertThat(s.poolSize()).isEqualTo(SqlRealmSettings.DEFAULT_POOL_SIZE);
        assertThat(s.cacheTtl()).isEqualTo(SqlRealmSettings.DEFAULT_CACHE_TTL);
        assertThat(s.recheckInterval()).as("defaults to the TTL").isEqualTo(s.cacheTtl());
        assertThat(s.serveCachedWhenUnavailable()).isTrue();
    }

    @Test
    void everyKey_isRead_andSecretsComeFromTheEnvironment() throws ConfigException {
        SqlRealmSettings s = settings("""
                - name: db
                  type: sql
                  jdbc-url: jdbc:postgresql://db.example:5432/rampart
                  username: broker
                  password: ${ENV:DB_PASSWORD}
                  pool-size: 8
                  connection-timeout: 750ms
                  query-timeout: 3
                  driver-properties: {sslmode: verify-full, sslrootcert: /etc/rampart/db-ca.pem}
                  cache: {size: 5000, ttl: 2m}
                  recheck-interval: 0
                  serve-cached-when-unavailable: false
                """, Map.of("DB_PASSWORD", "s3cret"));

        assertThat(s.embedded()).isFalse();
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5432/rampart");
        assertThat(s.username()).isEqualTo("broker");
        assertThat(s.password()).isEqualTo("s3cret");
        assertThat(s.poolSize()).isEqualTo(8);
        assertThat(s.connectionTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.queryTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.driverProperties()).containsEntry("sslmode", "verify-full")
                .containsEntry("sslrootcert", "/etc/rampart/db-ca.pem");
        assertThat(s.cacheSize()).isEqualTo(5000);
        assertThat(s.cacheTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.recheckInterval()).isZero();
        assertThat(s.serveCachedWhenUnavailable()).isFalse();
        assertThat(s.queries().isDefault()).isTrue();
        assertThat(s.toString()).doesNotContain("s3cret");
    }

    @Test
    void shippedExample_isValid() throws Exception {
        String yaml = java.nio.file.Files.readString(Path.of("..", "config", "examples", "sql.yaml"));
        BrokerConfig config = ConfigLoader.parse(yaml, "sql.yaml", Map.of("RAMPART_DB_PASSWORD", "pw")::get);

        assertThat(config.security().realms()).extracting(SecurityConfig.Realm::type).containsExactly("sql", "sql");
        SqlRealmSettings db = (SqlRealmSettings) config.security().realms().get(1).settings();
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/rampart");
        assertThat(db.driverProperties()).containsEntry("sslmode", "verify-full");
    }

    @Test
    void invalidValues_nameTheKey() {
        assertThat(failure("- {name: db, type: sql, pool-size: 0}"))
                .contains("security.realms[0].pool-size").contains("between 1 and 100");
        assertThat(failure("- {name: db, type: sql, connection-timeout: 10ms}"))
                .contains("security.realms[0].connection-timeout");
        assertThat(failure("- {name: db, type: sql, query-timeout: soon}"))
                .contains("security.realms[0].query-timeout").contains("must be a duration");
        assertThat(failure("- {name: db, type: sql, cache: {ttl: 1s, sise: 3}}"))
                .contains("security.realms[0].cache.sise").contains("did you mean 'size'");
        assertThat(failure("- {name: db, type: sql, jdbc-url: 'postgres://x'}"))
                .contains("security.realms[0].jdbc-url").contains("jdbc:");
        assertThat(failure("- {name: db, type: sql, jdbc-url: 'jdbc:h2:mem:x'}"))
                .contains("security.realms[0].jdbc-url").contains("in-memory");
        assertThat(failure("- {name: db, type: sql, path: x}")).contains("security.realms[0].path");
        assertThat(failure("- {name: db, type: sql, queries: {user: 'DELETE FROM u WHERE n = ?'}}"))
                .contains("security.realms[0].queries.user").contains("must be a SELECT");
        assertThat(failure("- {name: db, type: sql, queries: {users: 'SELECT 1'}}"))
                .contains("security.realms[0].queries.users").contains("did you mean 'user'");
    }
}
