package io.rampart.security.realm.sql;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of one SQL realm.
 *
 * @param name                       realm name (access log, identities)
 * @param jdbcUrl                    the database; for the embedded default an H2 file URL (see {@link #embedded})
 * @param embedded                   the realm owns an embedded H2 database (no {@code jdbc-url} configured): its
 *                                   schema is created on first start
 * @param username                   database user, or {@code null}
 * @param password                   database password, or {@code null}; never logged
 * @param poolSize                   maximum connections, also the number of realm threads running queries
 * @param connectionTimeout          how long to wait for a connection before the request is answered
 *                                   "server unavailable" (at least 250 ms)
 * @param queryTimeout               bound of each statement (whole seconds, at least 1)
 * @param driverProperties           handed to the JDBC driver (e.g. {@code sslmode}, {@code sslrootcert})
 * @param cacheSize                  users and permission lists kept in memory, each
 * @param cacheTtl                   how long a cached user or permission list is used before the database is
 *                                   asked again; {@link Duration#ZERO} turns caching off
 * @param recheckInterval            how often live sessions' permissions are compared with the database (and
 *                                   re-authorized when they changed); {@link Duration#ZERO} = never
 * @param serveCachedWhenUnavailable while the database is unreachable, re-authorizations of live sessions use
 *                                   the last permissions read (otherwise they lose their permissions)
 * @param queries                    the read queries ({@link SqlQueries#DEFAULT} for the Rampart schema)
 */
public record SqlRealmSettings(String name, String jdbcUrl, boolean embedded, String username, String password,
                               int poolSize, Duration connectionTimeout, Duration queryTimeout,
                               Map<String, String> driverProperties, int cacheSize, Duration cacheTtl,
                               Duration recheckInterval, boolean serveCachedWhenUnavailable, SqlQueries queries) {

    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_CACHE_SIZE = 10_000;
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(60);

    public SqlRealmSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        Objects.requireNonNull(queryTimeout, "queryTimeout");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        Objects.requireNonNull(recheckInterval, "recheckInterval");
        driverProperties = driverProperties == null ? Map.of() : Map.copyOf(driverProperties);
        queries = queries == null ? SqlQueries.DEFAULT : queries;
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: must not be blank");
        }
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("jdbc-url: must start with 'jdbc:'");
        }
        if (poolSize < 1 || poolSize > 100) {
            throw new IllegalArgumentException("pool-size: must be between 1 and 100 (was " + poolSize + ")");
        }
        if (connectionTimeout.toMillis() < 250 || connectionTimeout.toSeconds() > 300) {
            throw new IllegalArgumentException("connection-timeout: must be between 250ms and 300s");
        }
        if (queryTimeout.toSeconds() < 1 || queryTimeout.toSeconds() > 300) {
            throw new IllegalArgumentException("query-timeout: must be between 1s and 300s");
        }
        if (cacheSize < 1 || cacheSize > 10_000_000) {
            throw new IllegalArgumentException("cache.size: must be between 1 and 10000000 (was " + cacheSize + ")");
        }
        if (cacheTtl.isNegative() || cacheTtl.toSeconds() > 86_400) {
            throw new IllegalArgumentException("cache.ttl: must be between 0 and 86400s");
        }
        if (recheckInterval.isNegative() || (!recheckInterval.isZero() && recheckInterval.toMillis() < 100)) {
            throw new IllegalArgumentException("recheck-interval: must be 0 (off) or at least 100ms");
        }
    }

    /** With the default queries. */
    public SqlRealmSettings(String name, String jdbcUrl, boolean embedded, String username, String password,
                            int poolSize, Duration connectionTimeout, Duration queryTimeout,
                            Map<String, String> driverProperties, int cacheSize, Duration cacheTtl,
                            Duration recheckInterval, boolean serveCachedWhenUnavailable) {
        this(name, jdbcUrl, embedded, username, password, poolSize, connectionTimeout, queryTimeout, driverProperties,
                cacheSize, cacheTtl, recheckInterval, serveCachedWhenUnavailable, SqlQueries.DEFAULT);
    }

    /** The H2 file URL of the embedded database of realm {@code name} under {@code dataDir/realms/name}. */
    public static String embeddedUrl(Path dataDir, String name) {
        Path base = dataDir.resolve("realms").resolve(name).resolve("rampart").toAbsolutePath().normalize();
        return "jdbc:h2:file:" + base;
    }

    /** Settings without secrets, for diagnostics. */
    @Override
    public String toString() {
        return "SqlRealmSettings[name=" + name + ", jdbcUrl=" + jdbcUrl + ", embedded=" + embedded + ", username="
                + username + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + ", queryTimeout="
                + queryTimeout + ", driverProperties=" + driverProperties.keySet() + ", cacheSize=" + cacheSize
                + ", cacheTtl=" + cacheTtl + ", recheckInterval=" + recheckInterval + ", serveCachedWhenUnavailable="
                + serveCachedWhenUnavailable + ", customQueries=" + !queries.isDefault() + "]";
    }
}
