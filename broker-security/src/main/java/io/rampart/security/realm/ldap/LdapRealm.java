package io.rampart.security.realm.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPInterface;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import io.rampart.security.spi.Realm;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Users, roles and (optionally) permissions from an LDAP directory (OpenLDAP, Active Directory, ...).
 *
 * <p>Authentication binds as the user: directly with a DN built from a template, or after finding the entry with a
 * search as the service account. An empty password is refused before the directory is asked (an LDAP simple bind
 * with an empty password is an anonymous bind and "succeeds"). Roles are the names of the user's groups; with
 * {@code permissions.from-ldap}, the {@code rampartPermission} values of the user's entry and groups are the
 * permissions the realm's authorization manager hands out ({@link PermissionSyntax}).
 *
 * <p>Every directory call runs on the realm's own bounded executor and the managers return stages (answers that
 * need no directory, such as a remembered bind or a cached account, complete in the caller's thread); when the
 * directory cannot answer (down, timed out, executor saturated) the answer is {@link Decision.DenyKind#UNAVAILABLE}
 * (fail closed). Accounts are cached (bounded, TTL) and a successful bind is remembered briefly as a salted hash, so
 * a warm cache serves reconnects without a directory round trip.
 *
 * <p>Live sessions are re-checked every {@code recheck-interval} (needs a service account): the cached accounts are
 * dropped and the server re-authorizes every live session, which reads each user's entry, groups and rules again; a
 * user no longer in the directory is refused, revoked groups lose their grants. A re-check while the directory is
 * known to be unreachable waits until it answers again, so an outage leaves live sessions as they are.
 */
public final class LdapRealm implements Realm {

    private static final Logger LOG = LogManager.getLogger("io.rampart.security.realm.ldap");
    private static final int QUEUE = 1_000;

    private final LdapRealmSettings settings;
    private final LdapDirectory directory;
    private final AccountReader reader;
    private final ThreadPoolExecutor executor;
    private final LoginCache cache;
    /** Why the directory was last found unreachable, or {@code null} while it answers. */
    private volatile String unavailable;
    /** While the directory is unreachable, only one request at a time (the probe) asks it; the rest are refused at once. */
    private final AtomicBoolean probing = new AtomicBoolean();
    private final long maxQueueNanos;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> recheck;

    /**
     * Builds the connection pools. A directory that is down does not prevent the realm from opening: it answers
     * "unavailable" until the directory is back.
     *
     * @throws IOException              when the trust file cannot be read
     * @throws GeneralSecurityException when the trust file is not valid
     */
    public LdapRealm(LdapRealmSettings settings) throws LDAPException, GeneralSecurityException, IOException {
        this(settings, null);
    }

    /**
     * As {@link #LdapRealm(LdapRealmSettings)}, re-checking live sessions every {@code recheck-interval} on
     * {@code timers} (a short task; the directory work runs on the realm's executor), or never when {@code timers}
     * is {@code null}. {@code timers} is not shut down by {@link #close()}.
     */
    public LdapRealm(LdapRealmSettings settings, ScheduledExecutorService timers)
            throws LDAPException, GeneralSecurityException, IOException {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.reader = new AccountReader(settings);
        this.directory = new LdapDirectory(settings);
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(settings.poolSize(), settings.poolSize(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "rampart-ldap-" + settings.name() + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.executor.allowCoreThreadTimeOut(true);
        this.cache = new LoginCache(settings);
        this.maxQueueNanos = settings.responseTimeout().toNanos();
        long every = settings.recheckInterval().toMillis();
        this.recheck = timers == null || every == 0 ? null
                : timers.scheduleWithFixedDelay(this::recheck, every, every, TimeUnit.MILLISECONDS);
        LOG.info("ldap realm '{}': servers {} ({}), {} users, roles {}, permissions {}, re-check {}", settings.name(),
                settings.servers(), settings.ldaps() ? "ldaps" : settings.startTls() ? "StartTLS" : "PLAINTEXT",
                settings.user().dnTemplate() != null ? "bind directly as " + settings.user().dnTemplate()
                        : "found with " + settings.user().filter() + " below " + settings.user().baseDn(),
                settings.groups() == null ? "none" : settings.groups().attribute() != null
                        ? "from " + settings.groups().attribute() : "from " + settings.groups().filter(),
                settings.permissions().fromLdap() ? "from " + settings.permissions().attribute() : "from another realm",
                recheck == null ? "off" : settings.recheckInterval());
        if (!settings.usesTls()) {
            LOG.warn("ldap realm '{}' talks to the directory WITHOUT TLS (allow-plaintext: true): passwords cross the"
                    + " network in clear; use ldaps:// or start-tls: true in production", settings.name());
        }
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String type() {
        return "ldap";
    }

    public LdapRealmSettings settings() {
        return settings;
    }

    @Override
    public AuthenticationManager authenticator(String managerName) {
        return AuthenticationManager.of(managerName, settings.name(), request -> {
            Decision<Identity> known = answerFromMemory(managerName, request);
            return known != null ? CompletableFuture.completedFuture(known)
                    : async(() -> authenticate(managerName, request), () -> authenticateWhileDown(managerName, request));
        }, this::refresh, listeners::add);
    }

    /**
     * The permissions stored in the directory for users of this realm (see {@link PermissionSyntax}), possibly none;
     * deny for a user no longer in the directory; no opinion for identities this realm did not authenticate, so a
     * file or SQL realm can decide for them.
     *
     * @throws UnsupportedOperationException when {@code permissions.from-ldap} is off
     */
    @Override
    public AuthorizationManager authorizer(String managerName) {
        if (!settings.permissions().fromLdap()) {
            throw new UnsupportedOperationException("ldap realm '" + settings.name() + "' does not read permissions"
                    + " (permissions.from-ldap: false): authorize its users with a file or sql realm that defines"
                    + " their roles");
        }
        return AuthorizationManager.of(managerName, settings.name(), (identity, variables) -> {
            Decision<Grant> known = authorizeFromMemory(identity, variables);
            return known != null ? CompletableFuture.completedFuture(known)
                    : async(() -> authorize(identity, variables), () -> authorizeWhileDown(identity, variables));
        }, listeners::add);
    }

    @Override
    public String unavailableReason() {
        return unavailable;
    }

    /**
     * Drops the cached accounts and has the server re-authorize the live sessions of this realm's users. While the
     * directory is known to be unreachable, one probe is sent instead and the re-check runs once it answers; without
     * a service account there is nothing to re-read (the realm cannot read a user after its login).
     */
    @Override
    public void recheck() {
        if (settings.bindDn() == null) {
            LOG.debug("ldap realm '{}': live sessions not re-checked: without bind-dn the realm cannot read users after"
                    + " their login", settings.name());
            return;
        }
        if (unavailable == null) {
            recheckNow();
            return;
        }
        if (!probing.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    directory.service().getRootDSE();
                    available();
                } catch (LDAPException e) {
                    LOG.debug("ldap realm '{}': re-check postponed, the directory still does not answer: {}",
                            settings.name(), e.getMessage());
                } finally {
                    probing.set(false);
                }
                if (unavailable == null) {
                    recheckNow();
                }
            });
        } catch (RejectedExecutionException e) {
            probing.set(false);
        }
    }

    private void recheckNow() {
        LOG.debug("ldap realm '{}': re-checking live sessions", settings.name());
        cache.forgetAccounts();
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.error("ldap realm '{}': change listener failed", settings.name(), e);
            }
        }
    }

    /** Whether this realm holds the identity's user record (a user that logged in with its password here). */
    private boolean ownUser(Identity identity) {
        return settings.name().equals(identity.rolesRealm());
    }

    /**
     * A live user's current groups, read again as the service account; refused when its entry is gone. Without a
     * service account the identity stays as it logged in.
     */
    private CompletionStage<Decision<Identity>> refresh(Identity identity, IdentityVariables variables) {
        if (!ownUser(identity) || settings.bindDn() == null) {
            return CompletableFuture.completedFuture(Decision.allow(identity));
        }
        LdapAccount cached = cache.account(cache.key(variables.asMap()));
        if (cached != null) {
            return CompletableFuture.completedFuture(Decision.allow(identity.withRoles(cached.roles())));
        }
        return async(() -> {
            Decision<LdapAccount> current = currentAccount(identity, variables);
            if (current instanceof Decision.Allow<LdapAccount> allow) {
                return Decision.allow(identity.withRoles(allow.value().roles()));
            }
            if (current instanceof Decision.Deny<LdapAccount> deny) {
                return Decision.deny(deny.kind(), deny.reason());
            }
            return Decision.noOpinion(((Decision.NoOpinion<LdapAccount>) current).reason());
        }, this::refusedWhileDown);
    }

    /**
     * Runs {@code work} on the realm's executor. While the directory is known to be unreachable, only one request at a
     * time goes to it (a probe: when it succeeds, everything flows again); the others get {@code whileDown} at once,
     * so a silent directory costs one timeout at a time, not one per CONNECT. Work that waited longer than
     * {@code response-timeout} for a thread is not started (whoever asked has most likely given up).
     */
    private <T> CompletionStage<Decision<T>> async(Supplier<Decision<T>> work, Supplier<Decision<T>> whileDown) {
        boolean probe = false;
        if (unavailable != null) {
            if (!probing.compareAndSet(false, true)) {
                return CompletableFuture.completedFuture(whileDown.get());
            }
            probe = true;
        }
        boolean isProbe = probe;
        long queued = System.nanoTime();
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    if (System.nanoTime() - queued > maxQueueNanos) {
                        return Decision.deny(Decision.DenyKind.UNAVAILABLE, "ldap realm '" + settings.name()
                                + "' is overloaded: the request waited longer than response-timeout for a thread");
                    }
                    return work.get();
                } finally {
                    if (isProbe) {
                        probing.set(false);
                    }
                }
            }, executor);
        } catch (RejectedExecutionException e) {
            if (isProbe) {
                probing.set(false);
            }
            return CompletableFuture.completedFuture(Decision.deny(Decision.DenyKind.UNAVAILABLE,
                    "ldap realm '" + settings.name() + "' is saturated (" + QUEUE + " requests waiting)"));
        }
    }

    private <T> Decision<T> refusedWhileDown() {
        String reason = unavailable;
        return Decision.deny(Decision.DenyKind.UNAVAILABLE, (reason == null ? "directory unavailable" : reason)
                + "; refused without asking until the directory answers again");
    }

    /** While the directory is down: a login remembered within {@code stale-ttl}, or "unavailable". */
    private Decision<Identity> authenticateWhileDown(String manager, io.rampart.security.spi.AuthenticationRequest request) {
        String key = cache.key(request.variables().asMap());
        LdapAccount stale = cache.stale(key, cache.digest(key, request.password()));
        if (stale == null) {
            return refusedWhileDown();
        }
        cache.account(key, stale);
        return Decision.allow(identity(stale, manager));
    }

    private Decision<Grant> authorizeWhileDown(Identity identity, IdentityVariables variables) {
        LdapAccount stale = cache.staleAccount(cache.key(variables.asMap()));
        return stale == null ? refusedWhileDown() : decide(stale);
    }

    // ------------------------------------------------------------------ authentication

    /**
     * The answer when it needs no directory (no user name, empty password, unusable name, a remembered bind), in
     * the caller's thread: no hop to the realm's executor for a warm cache. {@code null} otherwise.
     */
    private Decision<Identity> answerFromMemory(String manager, io.rampart.security.spi.AuthenticationRequest request) {
        String username = request.username();
        byte[] password = request.password();
        if (username == null || password == null || password.length == 0 || !usable(username)) {
            return authenticate(manager, request); // refused before any directory call
        }
        String key = cache.key(request.variables().asMap());
        LdapAccount account = cache.verified(key, cache.digest(key, password));
        return account == null ? null : Decision.allow(identity(account, manager));
    }

    private Decision<Identity> authenticate(String manager, io.rampart.security.spi.AuthenticationRequest request) {
        String username = request.username();
        if (username == null) {
            return Decision.noOpinion("no user name");
        }
        byte[] password = request.password();
        if (password == null || password.length == 0) {
            return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "empty password refused for " + quote(username)
                    + " (an LDAP bind without password is anonymous)");
        }
        if (!usable(username)) {
            return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "user name " + quote(username) + " is not usable"
                    + " with LDAP (empty, leading or trailing spaces, or control characters)");
        }
        Map<String, String> variables = request.variables().asMap();
        String key = cache.key(variables);
        byte[] digest = cache.digest(key, password);
        LdapAccount known = cache.verified(key, digest);
        if (known != null) {
            return Decision.allow(identity(known, manager));
        }
        try {
            LdapAccount account;
            if (settings.user().dnTemplate() != null) {
                DN dn = LdapTemplates.dn(settings.user().dnTemplate(), variables);
                if (dn == null) {
                    return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "no value for the user DN template");
                }
                Object result = directory.bind(dn, password, bound -> {
                    LDAPInterface lookup = settings.bindDn() != null ? directory.service() : bound;
                    Entry entry = reader.readUser(lookup, dn);
                    if (entry == null) {
                        return "entry " + quote(dn.toString()) + " cannot be read after the bind";
                    }
                    if (settings.user().objectClass() != null && !entry.hasObjectClass(settings.user().objectClass())) {
                        return "entry " + quote(dn.toString()) + " is not a " + settings.user().objectClass();
                    }
                    return reader.account(lookup, username, entry, variables);
                });
                if (result == null) {
                    available();
                    return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "unknown user or wrong password for "
                            + quote(username) + " (bind as " + quote(dn.toString()) + " refused)");
                }
                if (result instanceof String refusal) {
                    available();
                    return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, refusal);
                }
                account = (LdapAccount) result;
            } else {
                Entry entry;
                try {
                    entry = reader.findUser(directory.service(), variables);
                } catch (AccountReader.AmbiguousUserException e) {
                    available();
                    return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "user search for " + quote(username)
                            + " matches more than one entry; refused");
                }
                if (entry == null) {
                    available();
                    return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "unknown user " + quote(username));
                }
                DN dn = entry.getParsedDN();
                account = directory.bind(dn, password, bound -> reader.account(
                        settings.bindDn() != null ? directory.service() : bound, username, entry, variables));
                if (account == null) {
                    available();
                    return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "wrong password for " + quote(username)
                            + " (bind as " + quote(dn.toString()) + " refused)");
                }
            }
            available();
            cache.loggedIn(key, digest, account);
            return Decision.allow(identity(account, manager));
        } catch (LDAPException e) {
            LdapAccount stale = LdapDirectory.unreachable(e) ? cache.stale(key, digest) : null;
            if (stale != null) {
                unavailable(e);
                cache.account(key, stale);
                LOG.info("ldap realm '{}': directory unreachable; {} accepted from a login remembered within the last {}"
                        + " (cache.stale-ttl)", settings.name(), quote(username), settings.staleTtl());
                return Decision.allow(identity(stale, manager));
            }
            return unavailable(e);
        } catch (RuntimeException e) {
            LOG.error("ldap realm '{}': authentication of {} failed", settings.name(), quote(username), e);
            return Decision.deny(Decision.DenyKind.UNAVAILABLE, "ldap realm failed: " + e.getMessage());
        }
    }

    /**
     * Directory matching ignores leading and trailing spaces, so " alice" would bind as alice under another
     * identity name; such names (and control characters) are refused before the directory is asked.
     */
    private static boolean usable(String username) {
        if (username.isEmpty() || username.strip().length() != username.length()) {
            return false;
        }
        for (int i = 0; i < username.length(); i++) {
            if (Character.isISOControl(username.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private Identity identity(LdapAccount account, String manager) {
        return Identity.userOf(settings.name(), manager, account.username(), account.roles(),
                Map.of("ldap-dn", account.dn()));
    }

    // ------------------------------------------------------------------ authorization

    /** The answer when the account is cached (or the identity is not ours), in the caller's thread; else {@code null}. */
    private Decision<Grant> authorizeFromMemory(Identity identity, IdentityVariables variables) {
        if (!ownUser(identity)) {
            return Decision.noOpinion(quote(identity.name()) + " was not authenticated by ldap realm '" + settings.name() + "'");
        }
        LdapAccount account = cache.account(cache.key(variables.asMap()));
        return account == null ? null : decide(account);
    }

    private Decision<Grant> authorize(Identity identity, IdentityVariables variables) {
        if (!ownUser(identity)) {
            return Decision.noOpinion(quote(identity.name()) + " was not authenticated by ldap realm '" + settings.name() + "'");
        }
        Decision<LdapAccount> current = currentAccount(identity, variables);
        if (current instanceof Decision.Allow<LdapAccount> allow) {
            return decide(allow.value());
        }
        if (current instanceof Decision.Deny<LdapAccount> deny) {
            return Decision.deny(deny.kind(), deny.reason());
        }
        return Decision.noOpinion(((Decision.NoOpinion<LdapAccount>) current).reason());
    }

    /**
     * The user's account from the cache or read again as the service account: deny (not authorized) when the entry
     * is gone or ambiguous, unavailable (or the account remembered for outages) when the directory cannot answer.
     * Blocking: the realm's executor only.
     */
    private Decision<LdapAccount> currentAccount(Identity identity, IdentityVariables variables) {
        String key = cache.key(variables.asMap());
        LdapAccount account = cache.account(key);
        if (account != null) {
            return Decision.allow(account);
        }
        try {
            account = reload(identity.name(), key, variables.asMap());
        } catch (LDAPException e) {
            LdapAccount stale = LdapDirectory.unreachable(e) ? cache.staleAccount(key) : null;
            if (stale != null) {
                unavailable(e);
                return Decision.allow(stale);
            }
            return unavailable(e);
        } catch (AccountReader.AmbiguousUserException e) {
            return Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, "user search for " + quote(identity.name())
                    + " matches more than one entry");
        }
        if (account == null) {
            return Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, quote(identity.name())
                    + " is no longer in the directory");
        }
        return Decision.allow(account);
    }

    /**
     * The rules read for a user of this realm, possibly none (a known user without rules connects with none), with
     * the limits of its roles ({@code role-limits}).
     */
    private Decision<Grant> decide(LdapAccount account) {
        if (account.problem() != null) {
            return Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, account.problem());
        }
        return Decision.allow(new Grant(account.permissions(), settings.limitsOf(account.roles())));
    }

    /** Reads an account again as the service account (its cache entry expired between CONNECT and authorization). */
    private LdapAccount reload(String username, String key, Map<String, String> variables)
            throws LDAPException, AccountReader.AmbiguousUserException {
        LDAPInterface service = directory.service();
        Entry entry;
        if (settings.user().dnTemplate() != null) {
            DN dn = LdapTemplates.dn(settings.user().dnTemplate(), variables);
            entry = dn == null ? null : reader.readUser(service, dn);
        } else {
            entry = reader.findUser(service, variables);
        }
        available();
        if (entry == null) {
            return null;
        }
        LdapAccount account = reader.account(service, username, entry, variables);
        cache.account(key, account);
        return account;
    }

    // ------------------------------------------------------------------ state

    private <T> Decision<T> unavailable(LDAPException e) {
        String detail = e.getDiagnosticMessage() != null ? e.getDiagnosticMessage() : rootCause(e);
        if (!LdapDirectory.unreachable(e)) {
            return Decision.deny(Decision.DenyKind.UNAVAILABLE, "directory refused the lookup: " + e.getResultCode()
                    + (detail == null ? "" : " (" + bounded(detail) + ")"));
        }
        String reason = "directory unavailable: " + e.getResultCode() + (detail == null ? "" : " (" + bounded(detail) + ")");
        if (unavailable == null) {
            LOG.warn("ldap realm '{}': {}; logins through this realm are refused as 'server unavailable' until it"
                    + " answers again", settings.name(), e.getMessage());
        }
        unavailable = reason;
        return Decision.deny(Decision.DenyKind.UNAVAILABLE, reason);
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? null : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static String bounded(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private void available() {
        if (unavailable != null) {
            unavailable = null;
            LOG.info("ldap realm '{}': the directory answers again", settings.name());
        }
    }

    /** Quotes a client-chosen value for a log line: control characters replaced, length bounded. */
    static String quote(String value) {
        StringBuilder sb = new StringBuilder(Math.min(value.length(), 128) + 2).append('\'');
        for (int i = 0; i < value.length() && i < 128; i++) {
            char c = value.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        if (value.length() > 128) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }

    @Override
    public void close() {
        if (recheck != null) {
            recheck.cancel(false);
        }
        executor.shutdownNow();
        directory.close();
    }
}
