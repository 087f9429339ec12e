package io.rampart.security.realm.ldap;

import io.rampart.security.limits.IdentityLimits;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an {@link LdapRealm} needs, validated. Messages of {@link IllegalArgumentException}s start with the
 * YAML key they are about ({@code "user.filter: ..."}), so the configuration loader can point at it.
 *
 * @param name              the realm's name
 * @param servers           {@code ldap://host[:port]} or {@code ldaps://host[:port]} URLs, tried in order (failover);
 *                          all with the same scheme
 * @param startTls          upgrade {@code ldap://} connections with StartTLS before anything else is sent
 * @param allowPlaintext    allow {@code ldap://} without StartTLS (passwords cross the network in clear)
 * @param trust             the certificates that vouch for the servers, or {@code null} for the JDK's default trust store
 * @param bindDn            the service account used for searches, or {@code null} to search anonymously (or, with
 *                          a DN template and no service account, as the user who just bound)
 * @param bindPassword      the service account's password ({@code null} when {@code bindDn} is)
 * @param user              how a user name becomes an entry
 * @param groups            how an entry's groups (roles) are found, or {@code null} for no roles
 * @param permissions       where permissions come from
 * @param poolSize          connections per pool (the service pool and the bind pool each) and threads of the realm's executor
 * @param connectTimeout    TCP + TLS connect timeout per server
 * @param responseTimeout   per LDAP operation
 * @param cacheSize         maximum cached accounts (user entry, roles, permissions)
 * @param cacheTtl          how long an account is cached
 * @param credentialTtl     how long a successful bind is remembered (as a salted hash); {@link Duration#ZERO} = never
 * @param staleTtl          while the directory cannot be reached, a login that matches a bind remembered within
 *                          this long is still accepted (with the account read then); {@link Duration#ZERO} = never
 * @param recheckInterval   how often live sessions are re-authorized against the directory (their users' entries,
 *                          groups and rules read again as the service account); {@link Duration#ZERO} = never. Needs
 *                          {@code bindDn}: without a service account the realm cannot read a user after its login
 * @param roleLimits        role (group name) → the limits of users with that role, handed out with the permissions
 *                          read from the directory (the strictest of the user's roles applies); needs
 *                          {@code permissions.fromLdap}
 */
public record LdapRealmSettings(String name, List<URI> servers, boolean startTls, boolean allowPlaintext, Trust trust,
                                String bindDn, String bindPassword, UserLookup user, GroupLookup groups,
                                PermissionSource permissions, int poolSize, Duration connectTimeout,
                                Duration responseTimeout, int cacheSize, Duration cacheTtl, Duration credentialTtl,
                                Duration staleTtl, Duration recheckInterval, Map<String, IdentityLimits> roleLimits) {

    public static final int DEFAULT_POOL_SIZE = 8;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(3);
    public static final int DEFAULT_CACHE_SIZE = 10_000;
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_CREDENTIAL_TTL = Duration.ofSeconds(10);

    public LdapRealmSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(permissions, "permissions");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        Objects.requireNonNull(credentialTtl, "credentialTtl");
        Objects.requireNonNull(staleTtl, "staleTtl");
        Objects.requireNonNull(recheckInterval, "recheckInterval");
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("servers: must list at least one ldap:// or ldaps:// URL");
        }
        String scheme = null;
        for (int i = 0; i < servers.size(); i++) {
            URI uri = servers.get(i);
            String s = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!s.equals("ldap") && !s.equals("ldaps")) {
                throw new IllegalArgumentException("servers[" + i + "]: must be an ldap:// or ldaps:// URL (was " + uri + ")");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("servers[" + i + "]: has no host (was " + uri + ")");
            }
            if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
                throw new IllegalArgumentException("servers[" + i + "]: must not have a path or base DN; use user.base-dn"
                        + " (was " + uri + ")");
            }
            if (scheme != null && !scheme.equals(s)) {
                throw new IllegalArgumentException("servers[" + i + "]: all servers must use the same scheme");
            }
            scheme = s;
        }
        if (scheme.equals("ldaps") && startTls) {
            throw new IllegalArgumentException("start-tls: ldaps:// is already encrypted; remove start-tls or use ldap://");
        }
        if (scheme.equals("ldap") && !startTls && !allowPlaintext) {
            throw new IllegalArgumentException("servers: ldap:// without start-tls sends passwords in clear; set "
                    + "start-tls: true, use ldaps://, or set allow-plaintext: true (development only)");
        }
        if ((bindDn == null) != (bindPassword == null)) {
            throw new IllegalArgumentException("bind-password: bind-dn and bind-password go together");
        }
        if (bindPassword != null && bindPassword.isEmpty()) {
            throw new IllegalArgumentException("bind-password: must not be empty (an empty password is an anonymous bind)");
        }
        if (poolSize < 1 || poolSize > 256) {
            throw new IllegalArgumentException("pool-size: must be between 1 and 256 (was " + poolSize + ")");
        }
        positive(connectTimeout, "connect-timeout");
        positive(responseTimeout, "response-timeout");
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cache.size: must not be negative (was " + cacheSize + ")");
        }
        if (cacheTtl.isNegative() || credentialTtl.isNegative()) {
            throw new IllegalArgumentException("cache.ttl: must not be negative");
        }
        if (!cacheTtl.isZero() && credentialTtl.compareTo(cacheTtl) > 0) {
            throw new IllegalArgumentException("cache.credential-ttl: must not be longer than cache.ttl");
        }
        if (staleTtl.isNegative() || staleTtl.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("cache.stale-ttl: must be between 0 and 7 days");
        }
        if (!staleTtl.isZero() && (cacheSize == 0 || cacheTtl.isZero())) {
            throw new IllegalArgumentException("cache.stale-ttl: needs the cache (cache.size and cache.ttl above 0)");
        }
        if (recheckInterval.isNegative() || recheckInterval.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("recheck-interval: must be between 0 and 24 h");
        }
        if (!recheckInterval.isZero() && recheckInterval.toMillis() < 100) {
            throw new IllegalArgumentException("recheck-interval: must be 0 (off) or at least 100 ms");
        }
        roleLimits = roleLimits == null ? Map.of() : Map.copyOf(roleLimits);
        if (!roleLimits.isEmpty() && !permissions.fromLdap()) {
            throw new IllegalArgumentException("role-limits: needs permissions.from-ldap: true (limits are handed out"
                    + " with the permissions read from the directory; otherwise set them where the roles' permissions"
                    + " are, e.g. in a file or sql realm)");
        }
        if (!roleLimits.isEmpty() && groups == null) {
            throw new IllegalArgumentException("role-limits: needs groups (the roles the limits are set for)");
        }
        if (!recheckInterval.isZero() && bindDn == null) {
            throw new IllegalArgumentException("recheck-interval: needs bind-dn (the service account reads the users'"
                    + " entries and groups at each re-check; without one, live sessions keep the roles read at login)");
        }
    }

    private static void checked(String key, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static void positive(Duration d, String key) {
        if (d.isNegative() || d.isZero() || d.toMillis() > 300_000) {
            throw new IllegalArgumentException(key + ": must be between 1 ms and 300 s (was " + d.toMillis() + " ms)");
        }
    }

    /** Settings without role limits. */
    public LdapRealmSettings(String name, List<URI> servers, boolean startTls, boolean allowPlaintext, Trust trust,
                             String bindDn, String bindPassword, UserLookup user, GroupLookup groups,
                             PermissionSource permissions, int poolSize, Duration connectTimeout,
                             Duration responseTimeout, int cacheSize, Duration cacheTtl, Duration credentialTtl,
                             Duration staleTtl, Duration recheckInterval) {
        this(name, servers, startTls, allowPlaintext, trust, bindDn, bindPassword, user, groups, permissions, poolSize,
                connectTimeout, responseTimeout, cacheSize, cacheTtl, credentialTtl, staleTtl, recheckInterval, Map.of());
    }

    /** Settings without serving remembered logins during an outage and without re-checks of live sessions. */
    public LdapRealmSettings(String name, List<URI> servers, boolean startTls, boolean allowPlaintext, Trust trust,
                             String bindDn, String bindPassword, UserLookup user, GroupLookup groups,
                             PermissionSource permissions, int poolSize, Duration connectTimeout,
                             Duration responseTimeout, int cacheSize, Duration cacheTtl, Duration credentialTtl) {
        this(name, servers, startTls, allowPlaintext, trust, bindDn, bindPassword, user, groups, permissions, poolSize,
                connectTimeout, responseTimeout, cacheSize, cacheTtl, credentialTtl, Duration.ZERO, Duration.ZERO);
    }

    /** Settings without re-checks of live sessions. */
    public LdapRealmSettings(String name, List<URI> servers, boolean startTls, boolean allowPlaintext, Trust trust,
                             String bindDn, String bindPassword, UserLookup user, GroupLookup groups,
                             PermissionSource permissions, int poolSize, Duration connectTimeout,
                             Duration responseTimeout, int cacheSize, Duration cacheTtl, Duration credentialTtl,
                             Duration staleTtl) {
        this(name, servers, startTls, allowPlaintext, trust, bindDn, bindPassword, user, groups, permissions, poolSize,
                connectTimeout, responseTimeout, cacheSize, cacheTtl, credentialTtl, staleTtl, Duration.ZERO);
    }

    /** The strictest of the limits set for {@code roles} ({@link IdentityLimits#NONE} when none are). */
    public IdentityLimits limitsOf(java.util.Set<String> roles) {
        IdentityLimits limits = IdentityLimits.NONE;
        for (String role : roles) {
            IdentityLimits of = roleLimits.get(role);
            if (of != null) {
                limits = limits.strictest(of);
            }
        }
        return limits;
    }

    public boolean ldaps() {
        return servers.get(0).getScheme().equalsIgnoreCase("ldaps");
    }

    public boolean usesTls() {
        return ldaps() || startTls;
    }

    /**
     * Certificates that vouch for the directory servers: a PEM bundle, or a PKCS#12 store with its password.
     *
     * @param type {@code pem} or {@code pkcs12}
     */
    public record Trust(String type, Path file, String password) {
        public Trust {
            Objects.requireNonNull(file, "file");
            if (!type.equals("pem") && !type.equals("pkcs12")) {
                throw new IllegalArgumentException("trust: must be pem or pkcs12 (was " + type + ")");
            }
        }
    }

    /**
     * How a user name becomes a directory entry. Either a DN template (direct bind) or a search below
     * {@code baseDn} with {@code filter} (search, then bind). Placeholders {@code ${name}} are identity variables
     * ({@code ${mqtt-username}}, {@code ${mqtt-clientid}}, ...), escaped for a DN or a filter.
     *
     * @param objectClass an object class the entry must have, or {@code null}
     */
    public record UserLookup(String dnTemplate, String baseDn, String filter, Scope scope, String objectClass) {
        public UserLookup {
            if ((dnTemplate == null) == (baseDn == null)) {
                throw new IllegalArgumentException("user: give either dn-template (direct bind) or base-dn with filter"
                        + " (search, then bind)");
            }
            if (dnTemplate != null && (filter != null)) {
                throw new IllegalArgumentException("user.filter: only with base-dn (search, then bind)");
            }
            if (dnTemplate != null && !dnTemplate.contains("${")) {
                throw new IllegalArgumentException("user.dn-template: must contain a placeholder such as ${mqtt-username}");
            }
            if (baseDn != null && filter == null) {
                throw new IllegalArgumentException("user.filter: is required with base-dn, e.g. (uid=${mqtt-username})");
            }
            if (filter != null && !filter.contains("${")) {
                throw new IllegalArgumentException("user.filter: must contain a placeholder such as ${mqtt-username}");
            }
            scope = scope == null ? Scope.SUB : scope;
            if (dnTemplate != null) {
                checked("user.dn-template", () -> LdapTemplates.checkDnTemplate(dnTemplate));
            }
            if (filter != null) {
                checked("user.filter", () -> LdapTemplates.checkFilterTemplate(filter));
            }
            if (baseDn != null) {
                checked("user.base-dn", () -> LdapTemplates.checkDn(baseDn));
            }
        }
    }

    /** Search scope below a base DN. */
    public enum Scope { ONE, SUB }

    /**
     * How roles are found: the values of an attribute of the user entry that name group DNs ({@code memberOf}),
     * or a search below {@code baseDn} with {@code filter} ({@code ${user-dn}} is the user's DN). The role is the
     * group's {@code nameAttribute}. With {@code nested}, groups of groups count too, up to {@code maxDepth} levels.
     */
    public record GroupLookup(String attribute, String baseDn, String filter, String nameAttribute, boolean nested,
                              int maxDepth) {
        public GroupLookup {
            if ((attribute == null) == (baseDn == null)) {
                throw new IllegalArgumentException("groups: give either attribute (e.g. memberOf) or base-dn with filter");
            }
            if (baseDn != null && filter == null) {
                throw new IllegalArgumentException("groups.filter: is required with base-dn, e.g. (member=${user-dn})");
            }
            if (attribute != null && filter != null) {
                throw new IllegalArgumentException("groups.filter: only with base-dn");
            }
            nameAttribute = nameAttribute == null ? "cn" : nameAttribute;
            if (filter != null) {
                checked("groups.filter", () -> LdapTemplates.checkFilterTemplate(filter));
            }
            if (baseDn != null) {
                checked("groups.base-dn", () -> LdapTemplates.checkDn(baseDn));
            }
            if (maxDepth < 1 || maxDepth > 10) {
                throw new IllegalArgumentException("groups.max-depth: must be between 1 and 10 (was " + maxDepth + ")");
            }
        }
    }

    /**
     * @param fromLdap  read permission rules from the user's entry and its groups
     * @param attribute the attribute holding them ({@code rampartPermission}, see {@link PermissionSyntax})
     */
    public record PermissionSource(boolean fromLdap, String attribute) {
        public static final String DEFAULT_ATTRIBUTE = "rampartPermission";

        public PermissionSource {
            attribute = attribute == null ? DEFAULT_ATTRIBUTE : attribute;
        }
    }
}
