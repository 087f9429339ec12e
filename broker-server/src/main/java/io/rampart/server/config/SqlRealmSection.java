package io.rampart.server.config;

import io.rampart.security.realm.sql.SqlQueries;
import io.rampart.security.realm.sql.SqlRealm;
import io.rampart.security.realm.sql.SqlRealmSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a realm of type {@code sql} onto its settings and opener. Without {@code jdbc-url} the realm uses an
 * embedded H2 database in {@code <data-dir>/realms/<name>/}. Durations are seconds, or a number with a unit
 * ({@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}).
 */
final class SqlRealmSection {

    static final List<String> KEYS = List.of("name", "type", "jdbc-url", "username", "password", "pool-size",
            "connection-timeout", "query-timeout", "driver-properties", "cache", "recheck-interval",
            "serve-cached-when-unavailable", "queries");
    private static final List<String> CACHE_KEYS = List.of("size", "ttl");
    private static final List<String> QUERY_KEYS = List.of("user", "user-roles", "user-permissions",
            "role-permissions", "role-exists", "user-limits", "role-limits");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?");

    private SqlRealmSection() {
    }

    static SecurityConfig.Realm read(ConfigNode realm, Path dataDir) throws ConfigException {
        realm.requireKeys(KEYS);
        String name = realm.get("name").string();
        ConfigNode urlNode = realm.get("jdbc-url");
        boolean embedded = urlNode.isAbsentOrNull();
        String url = embedded ? SqlRealmSettings.embeddedUrl(dataDir, name) : urlNode.string();
        String username = optional(realm.get("username"));
        String password = realm.get("password").isAbsentOrNull() ? null : realm.get("password").text();
        int poolSize = realm.get("pool-size").intValue(SqlRealmSettings.DEFAULT_POOL_SIZE);
        Duration connectionTimeout = duration(realm.get("connection-timeout"),
                SqlRealmSettings.DEFAULT_CONNECTION_TIMEOUT);
        Duration queryTimeout = duration(realm.get("query-timeout"), SqlRealmSettings.DEFAULT_QUERY_TIMEOUT);
        Map<String, String> driverProperties = new LinkedHashMap<>();
        ConfigNode props = realm.get("driver-properties");
        if (!props.isAbsentOrNull()) {
            props.requireKeys(null);
            for (String key : props.keys()) {
                driverProperties.put(key, props.get(key).text());
            }
        }
        int cacheSize = SqlRealmSettings.DEFAULT_CACHE_SIZE;
        Duration ttl = SqlRealmSettings.DEFAULT_CACHE_TTL;
        ConfigNode cache = realm.get("cache");
        if (!cache.isAbsentOrNull()) {
            cache.requireKeys(CACHE_KEYS);
            cacheSize = cache.get("size").intValue(cacheSize);
            ttl = duration(cache.get("ttl"), ttl);
        }
        Duration recheck = duration(realm.get("recheck-interval"), ttl);
        boolean serveCached = realm.get("serve-cached-when-unavailable").booleanValue(true);
        if (!embedded && url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:mem:")) {
            throw urlNode.error("an in-memory H2 database would be empty at every start; leave jdbc-url out for the"
                    + " embedded file database");
        }
        SqlRealmSettings settings;
        try {
            SqlQueries queries = queries(realm.get("queries"));
            settings = new SqlRealmSettings(name, url, embedded, username, password, poolSize, connectionTimeout,
                    queryTimeout, driverProperties, cacheSize, ttl, recheck, serveCached, queries);
        } catch (IllegalArgumentException e) {
            throw realm.invalid(e);
        }
        return new SecurityConfig.Realm(name, "sql", settings, timers -> new SqlRealm(settings, timers));
    }

    /**
     * Custom read queries; each key absent keeps the default of the Rampart schema, except the limits queries: with
     * a {@code queries:} block, limits are read only when {@code user-limits} or {@code role-limits} is given.
     */
    private static SqlQueries queries(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return SqlQueries.DEFAULT;
        }
        node.requireKeys(QUERY_KEYS);
        SqlQueries d = SqlQueries.DEFAULT;
        return new SqlQueries(node.get("user").string(d.user()), node.get("user-roles").string(d.userRoles()),
                node.get("user-permissions").string(d.userPermissions()),
                node.get("role-permissions").string(d.rolePermissions()),
                node.get("role-exists").string(d.roleExists()), node.get("user-limits").string(null),
                node.get("role-limits").string(null));
    }

    private static String optional(ConfigNode node) throws ConfigException {
        return node.isAbsentOrNull() ? null : node.string();
    }

    /** Seconds, or a number with a unit: ms, s, m, h. */
    static Duration duration(ConfigNode node, Duration defaultValue) throws ConfigException {
        if (node.isAbsent()) {
            return defaultValue;
        }
        String text = node.text().strip();
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw node.error("must be a duration: seconds, or a number with ms, s, m or h (e.g. 500ms, 2s, 5m)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
