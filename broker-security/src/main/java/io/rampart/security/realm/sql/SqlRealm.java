package io.rampart.security.realm.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.rampart.security.hash.DummyHash;
import io.rampart.security.hash.InvalidHashException;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.realm.admin.RealmEditor;
import io.rampart.security.realm.file.CredentialCache;
import io.rampart.security.spi.AdminPermissionSource;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import io.rampart.security.spi.Realm;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Users, roles and permissions in a SQL database (schema in {@code config/sql}), through a HikariCP pool.
 *
 * <p>Every JDBC call runs on the realm's own bounded executor ({@code rampart-sql-<name>}, one thread per pooled
 * connection, a bounded queue), never on the caller's thread; a connection that cannot be had within the
 * connection timeout, a statement beyond the query timeout or a full queue answers
 * {@link Decision.DenyKind#UNAVAILABLE} ("server unavailable"). The pool reconnects by itself once the database
 * answers again.
 *
 * <p>Users (with their roles) and compiled permission lists are cached, bounded and with a TTL; password checks
 * are remembered for the same TTL ({@link CredentialCache}). So a change in the database reaches new CONNECTs
 * within the TTL, and live sessions at the next re-check ({@code recheck-interval}), which drops the cached
 * permissions and asks the server to re-authorize every live session: a user who logged in here is read again
 * (its current roles; removed or disabled → refused), so a revoked role's grants are gone. While the database is
 * unreachable, re-authorizations use the last roles and permissions read when {@code serve-cached-when-unavailable}
 * is on.
 */
public final class SqlRealm implements Realm, AdminPermissionSource {

    private static final Logger LOG = LogManager.getLogger("io.rampart.security.realm.sql");
    private static final int QUEUE = 10_000;
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);

    /**
     * A cached permission list: the identity's name and the roles it carries from elsewhere (none for this realm's
     * own users, whose roles are read from the database).
     */
    private record PermissionKey(String identity, Set<String> roles) {
    }

    private final SqlRealmSettings settings;
    private final HikariDataSource dataSource;
    private final SqlDirectory directory;
    private final ThreadPoolExecutor executor;
    private final PasswordHasher hasher = new PasswordHasher();
    private final CredentialCache credentials;
    private final Cache<String, Optional<SqlUser>> users;
    private final Cache<PermissionKey, Optional<Grant>> permissions;
    private final Cache<PermissionKey, Optional<Grant>> lastPermissions;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> recheck;
    private final ScheduledFuture<?> probe;
    private volatile String unavailable;

    /**
     * Opens the pool and checks the schema; for the embedded default creates the database and its schema on
     * first start. A database that cannot be reached does not stop the broker (CONNECTs are refused as "server
     * unavailable" until it answers); a reachable one without the schema does.
     *
     * @param timers runs the re-check and the availability probe (short tasks); not shut down by {@link #close()}
     * @throws IllegalStateException when the schema is missing or newer than this build, or the embedded
     *                               database cannot be created
     */
    public SqlRealm(SqlRealmSettings settings, ScheduledExecutorService timers) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.dataSource = new HikariDataSource(hikari(settings));
        try {
            this.directory = new SqlDirectory(settings.name(), dataSource, (int) settings.queryTimeout().toSeconds(),
                    settings.queries());
            checkSchema();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        AtomicInteger threadCount = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(settings.poolSize(), settings.poolSize(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "rampart-sql-" + settings.name() + "-" + threadCount.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        Duration ttl = settings.cacheTtl();
        this.credentials = new CredentialCache(ttl);
        this.users = ttl.isZero() ? null : Caffeine.newBuilder().maximumSize(settings.cacheSize())
                .expireAfterWrite(ttl).executor(Runnable::run).build();
        this.permissions = ttl.isZero() ? null : Caffeine.newBuilder().maximumSize(settings.cacheSize())
                .expireAfterWrite(ttl).executor(Runnable::run).build();
        this.lastPermissions = Caffeine.newBuilder().maximumSize(settings.cacheSize()).executor(Runnable::run).build();
        long every = settings.recheckInterval().toMillis();
        this.recheck = timers == null || every == 0 ? null
                : timers.scheduleWithFixedDelay(this::recheck, every, every, TimeUnit.MILLISECONDS);
        this.probe = timers == null ? null : timers.scheduleWithFixedDelay(this::probeIfUnavailable,
                PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("SQL realm '{}' opened {}{} (pool {}, cache {} entries for {}, re-check {})", settings.name(),
                settings.jdbcUrl(), settings.embedded() ? " (embedded)" : "", settings.poolSize(),
                settings.cacheSize(), ttl, settings.recheckInterval().isZero() ? "off" : settings.recheckInterval());
    }

    private static HikariConfig hikari(SqlRealmSettings s) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("rampart-sql-" + s.name());
        c.setJdbcUrl(s.jdbcUrl());
        if (s.username() != null) {
            c.setUsername(s.username());
        }
        if (s.password() != null) {
            c.setPassword(s.password());
        }
        c.setMaximumPoolSize(s.poolSize());
        c.setMinimumIdle(Math.min(1, s.poolSize()));
        c.setConnectionTimeout(s.connectionTimeout().toMillis());
        c.setValidationTimeout(Math.max(250, s.connectionTimeout().toMillis() / 2));
        // Start even while the database is down: requests are refused as unavailable until it answers.
        c.setInitializationFailTimeout(s.embedded() ? 1 : -1);
        if (SqlSchema.dialectOf(s.jdbcUrl()).equals("postgresql") && s.jdbcUrl().startsWith("jdbc:postgresql:")) {
            long connectSeconds = Math.max(1, (s.connectionTimeout().toMillis() + 999) / 1000);
            c.addDataSourceProperty("connectTimeout", Long.toString(connectSeconds));
            c.addDataSourceProperty("socketTimeout", Long.toString(s.queryTimeout().toSeconds() + 5));
        }
        for (Map.Entry<String, String> e : s.driverProperties().entrySet()) {
            c.addDataSourceProperty(e.getKey(), e.getValue());
        }
        return c;
    }

    private void checkSchema() {
        if (settings.embedded()) {
            createEmbeddedDirectory();
        }
        try (Connection c = dataSource.getConnection()) {
            if (!settings.queries().isDefault() && !settings.embedded()) {
                return; // an existing schema read through custom queries: nothing of ours to check
            }
            String dialect = SqlSchema.dialectOf(settings.jdbcUrl());
            if (!SqlSchema.present(c)) {
                if (!settings.embedded()) {
                    throw new IllegalStateException("SQL realm '" + settings.name() + "': the database has no "
                            + "Rampart schema (table schema_version); apply " + SqlSchema.scriptPath(dialect, 1)
                            + " first");
                }
                SqlSchema.apply(c, "h2");
                LOG.info("SQL realm '{}': created the embedded database with schema version {}", settings.name(),
                        SqlSchema.VERSION);
            }
            int version = SqlSchema.installedVersion(c);
            if (version > SqlSchema.VERSION) {
                throw new IllegalStateException("SQL realm '" + settings.name() + "': schema version " + version
                        + " is newer than this broker understands (" + SqlSchema.VERSION + ")");
            }
            if (version < SqlSchema.VERSION) {
                if (!settings.embedded()) {
                    throw new IllegalStateException("SQL realm '" + settings.name() + "': schema version " + version
                            + " is older than this broker reads (" + SqlSchema.VERSION + "); apply "
                            + SqlSchema.scriptPath(dialect, version + 1) + (version + 1 < SqlSchema.VERSION
                            ? " and the later scripts" : "") + " first");
                }
                SqlSchema.apply(c, "h2");
                LOG.info("SQL realm '{}': upgraded the embedded database from schema version {} to {}",
                        settings.name(), version, SqlSchema.VERSION);
            }
        } catch (SQLException e) {
            if (settings.embedded()) {
                throw new IllegalStateException("SQL realm '" + settings.name() + "': cannot open the embedded "
                        + "database " + settings.jdbcUrl() + ": " + e.getMessage(), e);
            }
            markUnavailable(e);
            LOG.warn("SQL realm '{}': database {} not reachable at startup ({}); CONNECTs are refused as server "
                    + "unavailable until it answers", settings.name(), settings.jdbcUrl(), e.getMessage());
        }
    }

    private void createEmbeddedDirectory() {
        String url = settings.jdbcUrl();
        String path = url.substring("jdbc:h2:file:".length());
        int semicolon = path.indexOf(';');
        Path dir = Path.of(semicolon >= 0 ? path.substring(0, semicolon) : path).getParent();
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("SQL realm '" + settings.name() + "': cannot create " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String type() {
        return "sql";
    }

    public SqlRealmSettings settings() {
        return settings;
    }

    @Override
    public AuthenticationManager authenticator(String managerName) {
        return AuthenticationManager.of(managerName, settings.name(), request -> request.username() == null
                        ? CompletableFuture.completedFuture(Decision.noOpinion("no user name"))
                        : submit(() -> authenticate(managerName, request)),
                (identity, variables) -> ownUser(identity) ? submit(() -> refresh(identity))
                        : CompletableFuture.completedFuture(Decision.allow(identity)),
                this::onChange);
    }

    @Override
    public AuthorizationManager authorizer(String managerName) {
        return AuthorizationManager.of(managerName, settings.name(), (identity, variables) -> {
            PermissionKey key = keyOf(identity);
            Optional<Grant> cached = permissions == null ? null : permissions.getIfPresent(key);
            if (cached != null) {
                // A memory look-up: answered at once, no database and no realm thread involved.
                return CompletableFuture.completedFuture(decision(identity, cached));
            }
            try {
                return CompletableFuture.supplyAsync(() -> authorize(identity), executor);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.completedFuture(lastKnownOr(identity, key, overloaded()));
            }
        }, this::onChange);
    }

    /**
     * The {@code admin_permissions} of a user of this realm and of its roles, read now (not cached: asked at an
     * admin login, not per message). None for other identities, for custom queries (their schema has no such table)
     * and while the database cannot answer.
     */
    @Override
    public CompletionStage<List<AdminGrantSpec>> adminPermissionsOf(Identity identity) {
        if (!ownUser(identity) || !settings.queries().isDefault()) {
            return CompletableFuture.completedFuture(List.of());
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    List<AdminGrantSpec> found = directory.adminPermissionsOf(identity.name());
                    markAvailable();
                    return found;
                } catch (SQLException e) {
                    markUnavailable(e);
                    return List.<AdminGrantSpec>of();
                }
            }, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(List.of());
        }
    }

    /** Reads and changes the realm's users and roles while the broker runs (the admin API). */
    public RealmEditor editor() {
        return new SqlRealmEditor(this, dataSource, (int) settings.queryTimeout().toSeconds(),
                settings.queries().isDefault());
    }

    /**
     * After a change through the admin API: forgets every cached user and permission list, so the next CONNECT reads
     * the database (a new user connects at once, a new password counts at once), and re-checks the live sessions.
     */
    void changed() {
        if (users != null) {
            users.invalidateAll();
        }
        recheck();
    }

    /** Called after every re-check, on the re-checking thread, so the server re-authorizes live sessions. */
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public String unavailableReason() {
        return unavailable;
    }

    private <T> CompletionStage<Decision<T>> submit(Supplier<Decision<T>> task) {
        try {
            return CompletableFuture.supplyAsync(task, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Decision.deny(Decision.DenyKind.UNAVAILABLE, overloaded()));
        }
    }

    private String overloaded() {
        return "SQL realm '" + settings.name() + "' is overloaded (" + QUEUE + " requests waiting)";
    }

    /** Whether this realm holds the identity's user record (a user that logged in with its password here). */
    private boolean ownUser(Identity identity) {
        return settings.name().equals(identity.rolesRealm());
    }

    private PermissionKey keyOf(Identity identity) {
        // An own user's roles are read from the database: the ones it logged in with may have been revoked since.
        return new PermissionKey(identity.name(), ownUser(identity) ? Set.of() : new TreeSet<>(identity.roles()));
    }

    /** The user (cached for the TTL), or empty when there is no such user. Blocking: realm executor only. */
    private Optional<SqlUser> user(String username) throws SQLException {
        Optional<SqlUser> found = users == null ? null : users.getIfPresent(username);
        if (found == null) {
            try {
                found = directory.user(username);
                markAvailable();
            } catch (SQLException e) {
                markUnavailable(e);
                throw e;
            }
            if (users != null) {
                users.put(username, found);
            }
        }
        return found;
    }

    private Decision<Identity> authenticate(String managerName, AuthenticationRequest request) {
        String username = request.username();
        byte[] password = request.password() == null ? new byte[0] : request.password();
        Optional<SqlUser> found;
        try {
            found = user(username);
        } catch (SQLException e) {
            return Decision.deny(Decision.DenyKind.UNAVAILABLE, unavailable);
        }
        String who = quote(username);
        if (found.isEmpty() || !found.get().enabled() || found.get().passwordHash() == null) {
            hasher.verify(password, DummyHash.value());
            String reason = found.isEmpty() ? "unknown user " + who
                    : !found.get().enabled() ? "user " + who + " is disabled"
                    : "no password login for " + who + " (password_hash is NULL)";
            return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, reason);
        }
        SqlUser user = found.get();
        if (request.password() == null) {
            return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "no password given for " + who);
        }
        if (!credentials.matches(username, user.passwordHash(), password)) {
            boolean ok;
            try {
                ok = hasher.verify(password, user.passwordHash());
            } catch (InvalidHashException e) {
                return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS,
                        "stored password hash of " + who + " is unusable: " + e.getMessage());
            }
            if (!ok) {
                return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "wrong password for " + who);
            }
            credentials.remember(username, user.passwordHash(), password);
        }
        return Decision.allow(Identity.userOf(settings.name(), managerName, username, Set.copyOf(user.roles()),
                Map.of()));
    }

    /**
     * A live user's current roles, read from the database (not the login cache, whose entries may be older than the
     * change a re-check is about); refused when it was removed or disabled.
     */
    private Decision<Identity> refresh(Identity identity) {
        Optional<SqlUser> found;
        try {
            found = directory.user(identity.name());
            markAvailable();
        } catch (SQLException e) {
            markUnavailable(e);
            return settings.serveCachedWhenUnavailable() ? Decision.allow(identity)
                    : Decision.deny(Decision.DenyKind.UNAVAILABLE, unavailable);
        }
        if (users != null) {
            users.put(identity.name(), found);
        }
        if (found.isEmpty()) {
            return Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, quote(identity.name())
                    + " is no longer a user of realm '" + settings.name() + "'");
        }
        if (!found.get().enabled()) {
            return Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, "user " + quote(identity.name()) + " is disabled");
        }
        return Decision.allow(identity.withRoles(Set.copyOf(found.get().roles())));
    }

    private Decision<Grant> authorize(Identity identity) {
        PermissionKey key = keyOf(identity);
        Optional<Grant> found = permissions == null ? null : permissions.getIfPresent(key);
        if (found == null) {
            try {
                found = directory.grantOf(identity.name(), key.roles());
                markAvailable();
            } catch (SQLException e) {
                markUnavailable(e);
                return lastKnownOr(identity, key, unavailable);
            }
            if (permissions != null) {
                permissions.put(key, found);
            }
            lastPermissions.put(key, found);
        }
        return decision(identity, found);
    }

    /** The permissions last read for the key when serving them is allowed, else "unavailable" with the reason. */
    private Decision<Grant> lastKnownOr(Identity identity, PermissionKey key, String reason) {
        Optional<Grant> last = settings.serveCachedWhenUnavailable() ? lastPermissions.getIfPresent(key) : null;
        return last == null ? Decision.deny(Decision.DenyKind.UNAVAILABLE, reason) : decision(identity, last);
    }

    private Decision<Grant> decision(Identity identity, Optional<Grant> found) {
        if (found.isPresent()) {
            return Decision.allow(found.get());
        }
        if (ownUser(identity)) {
            return Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, quote(identity.name())
                    + " is no longer an enabled user of realm '" + settings.name() + "'");
        }
        return Decision.noOpinion(quote(identity.name()) + " is neither an enabled user of realm '" + settings.name()
                + "' nor has any of its roles");
    }

    /**
     * Drops the cached permission lists and has the server re-authorize live sessions against the database (every
     * {@code recheck-interval}, and when asked): their users and roles are read again.
     */
    @Override
    public void recheck() {
        if (permissions != null) {
            permissions.invalidateAll();
        }
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.error("SQL realm '{}': change listener failed", settings.name(), e);
            }
        }
    }

    private void probeIfUnavailable() {
        if (unavailable == null) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    directory.ping();
                    markAvailable();
                } catch (SQLException e) {
                    markUnavailable(e);
                }
            });
        } catch (RejectedExecutionException ignored) {
            // busy: the requests themselves will tell
        }
    }

    private void markAvailable() {
        if (unavailable != null) {
            unavailable = null;
            LOG.info("SQL realm '{}': database reachable again", settings.name());
        }
    }

    private void markUnavailable(SQLException e) {
        String reason = "SQL realm '" + settings.name() + "' unavailable: " + firstLine(e.getMessage());
        if (unavailable == null) {
            LOG.warn("{}; CONNECTs using it are refused as server unavailable until the database answers", reason);
        }
        unavailable = reason;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int nl = message.indexOf('\n');
        String line = nl >= 0 ? message.substring(0, nl) : message;
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /** Quotes a client-chosen name for a log line: control characters replaced, length bounded. */
    static String quote(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), 128) + 2).append('\'');
        for (int i = 0; i < name.length() && i < 128; i++) {
            char c = name.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        if (name.length() > 128) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }

    @Override
    public void close() {
        if (recheck != null) {
            recheck.cancel(false);
        }
        if (probe != null) {
            probe.cancel(false);
        }
        executor.shutdownNow();
        dataSource.close();
    }
}
