package io.rampart.security.realm.file;

import io.rampart.security.hash.DummyHash;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.realm.admin.RealmEditor;
import io.rampart.security.spi.AdminPermissionSource;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.Realm;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Users, roles and permissions from a YAML file, reloaded when the file changes.
 *
 * <p>The file is validated completely before use: the constructor throws on an invalid file (refuse to
 * start); a reload that finds an invalid file keeps the previous content in force and logs file, line and
 * reason. A successful reload swaps everything at once and then calls the {@link #onChange} listeners, so the
 * server can re-authorize live sessions against the new content (a user no longer in the file is refused, a
 * revoked role no longer counts).
 *
 * <p>Thread-safe. The managers it hands out verify passwords synchronously in the caller's thread, which must
 * therefore not be an event loop.
 */
public final class FileRealm implements Realm, AdminPermissionSource {

    private static final Logger LOG = LogManager.getLogger("io.rampart.security.realm.file");
    private static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

    private final FileRealmSettings settings;
    private final PasswordHasher hasher;
    private final PasswordCheck check;
    private final CredentialCache cache;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Object reloadLock = new Object();
    private final FileWatch watch;
    private volatile RealmContent content;
    /** Identifies the last failed background reload, so a broken file is logged once, not every poll. */
    private String lastFailure;

    /**
     * Loads the file and, when {@code scheduler} is not {@code null}, starts watching it for changes.
     *
     * @param scheduler runs the change checks (short tasks); not shut down by {@link #close()}
     * @throws FileRealmException when the file is missing, unreadable or invalid
     */
    public FileRealm(FileRealmSettings settings, ScheduledExecutorService scheduler) throws FileRealmException {
        this(settings, scheduler, null);
    }

    /** With a replaceable password check (tests count hash verifications through it). */
    FileRealm(FileRealmSettings settings, ScheduledExecutorService scheduler, PasswordCheck check)
            throws FileRealmException {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.hasher = new PasswordHasher(PasswordHasher.DEFAULT_ALGORITHM, settings.allowPlaintext());
        this.check = check != null ? check : hasher::verify;
        this.cache = new CredentialCache(settings.credentialCacheTtl());
        if (settings.allowPlaintext()) {
            LOG.warn("file realm '{}' accepts plaintext passwords ({}); use this for development only and hash "
                    + "every password with 'rampart passwd' before production", settings.name(), settings.file());
        }
        this.content = RealmFileParser.parse(settings.name(), source(), read(), hasher);
        LOG.info("file realm '{}' loaded {}: {} users, {} roles", settings.name(), settings.file(),
                content.users().size(), content.roles().size());
        this.watch = scheduler == null ? null
                : new FileWatch(settings.file(), settings.pollInterval(), scheduler, this::reloadInBackground, LOG);
    }

    /**
     * Validates realm-file content exactly as loading would, without loading it (used by {@code rampart passwd}
     * before it writes a file).
     *
     * @param source name of the file, for messages
     * @return the user names it defines
     * @throws FileRealmException with line, column, key path and reason when invalid
     */
    public static Set<String> validate(String source, byte[] content, boolean allowPlaintext) throws FileRealmException {
        PasswordHasher hasher = new PasswordHasher(PasswordHasher.DEFAULT_ALGORITHM, allowPlaintext);
        return RealmFileParser.parse(source, content, hasher).users().keySet();
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String type() {
        return "file";
    }

    @Override
    public AuthenticationManager authenticator(String managerName) {
        return passwordAuthenticator(managerName);
    }

    @Override
    public AuthorizationManager authorizer(String managerName) {
        return roleAuthorizer(managerName);
    }

    public Path file() {
        return settings.file();
    }

    /**
     * A manager that checks user name and password against the file: no user name → no opinion; unknown user or
     * wrong password → deny (bad credentials); otherwise allow with the user's roles.
     */
    public AuthenticationManager passwordAuthenticator(String managerName) {
        return new PasswordAuthenticator(managerName, settings.name(), () -> content, check, cache,
                DummyHash::value, this::onChange);
    }

    /** A manager that hands out the permissions of the file's users and roles; see {@link RoleAuthorizer}. */
    public AuthorizationManager roleAuthorizer(String managerName) {
        return new RoleAuthorizer(managerName, settings.name(), () -> content, this::onChange);
    }

    /** The {@code admin-permissions} of a user of this file and of the roles the file gives it now. */
    @Override
    public CompletionStage<List<AdminGrantSpec>> adminPermissionsOf(Identity identity) {
        RealmContent current = content;
        UserEntry user = settings.name().equals(identity.rolesRealm()) ? current.users().get(identity.name()) : null;
        return CompletableFuture.completedFuture(user == null ? List.of() : current.adminPermissionsOf(user));
    }

    /** Reads and changes the file's users and roles while the broker runs (the admin API). */
    public RealmEditor editor() {
        return new FileRealmEditor(this, () -> content, hasher);
    }

    /** User names currently in force (an immutable snapshot). */
    public Set<String> users() {
        return content.users().keySet();
    }

    /** Role names currently in force (an immutable snapshot). */
    public Set<String> roles() {
        return content.roles().keySet();
    }

    /**
     * Called after every successful reload that changed the file's content, and on {@link #recheck()}, on the
     * calling thread.
     */
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Reads the file again (an invalid file is logged and the previous content stays in force) and then has every
     * live session re-authorized, changed or not.
     */
    @Override
    public void recheck() {
        synchronized (reloadLock) {
            try {
                reloadLocked(true);
            } catch (FileRealmException e) {
                // logged in reloadLocked; the content in force is re-checked
            }
        }
        notifyListeners();
    }

    /**
     * Re-reads the file now (e.g. on SIGHUP or an admin request).
     *
     * @return whether the content changed and was swapped in
     * @throws FileRealmException when the file is invalid or unreadable; the previous content stays in force
     */
    public boolean reload() throws FileRealmException {
        boolean changed;
        synchronized (reloadLock) {
            changed = reloadLocked(true);
        }
        if (changed) {
            notifyListeners();
        }
        return changed;
    }

    private void reloadInBackground() {
        boolean changed;
        try {
            synchronized (reloadLock) {
                changed = reloadLocked(false);
            }
        } catch (FileRealmException e) {
            return; // logged in reloadLocked
        }
        if (changed) {
            notifyListeners();
        }
    }

    private boolean reloadLocked(boolean explicit) throws FileRealmException {
        byte[] bytes;
        try {
            bytes = read();
        } catch (FileRealmException e) {
            failed(e, e.getMessage(), explicit);
            throw e;
        }
        RealmContent previous = content;
        byte[] digest = sha256(bytes);
        if (MessageDigest.isEqual(digest, previous.digest())) {
            lastFailure = null;
            return false;
        }
        String key = HexFormat.of().formatHex(digest);
        if (!explicit && key.equals(lastFailure)) {
            return false; // the same broken content as last time: already logged
        }
        RealmContent next;
        try {
            next = RealmFileParser.parse(settings.name(), source(), bytes, hasher);
        } catch (FileRealmException e) {
            failed(e, key, explicit);
            throw e;
        }
        for (UserEntry old : previous.users().values()) {
            UserEntry now = next.users().get(old.username());
            if (now == null || !Objects.equals(now.passwordHash(), old.passwordHash())) {
                cache.invalidate(old.username());
            }
        }
        content = next;
        lastFailure = null;
        Set<String> added = new TreeSet<>(next.users().keySet());
        added.removeAll(previous.users().keySet());
        Set<String> removed = new TreeSet<>(previous.users().keySet());
        removed.removeAll(next.users().keySet());
        LOG.info("file realm '{}' reloaded {}: {} users, {} roles (added users {}, removed users {})",
                settings.name(), settings.file(), next.users().size(), next.roles().size(), added, removed);
        return true;
    }

    private void failed(FileRealmException e, String failureKey, boolean explicit) {
        if (explicit || !failureKey.equals(lastFailure)) {
            LOG.error("file realm '{}' not reloaded: {}; the previous content ({} users) stays in force until the "
                    + "file is fixed", settings.name(), e.getMessage(), content.users().size());
        }
        lastFailure = failureKey;
    }

    private void notifyListeners() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.error("file realm '{}': change listener failed", settings.name(), e);
            }
        }
    }

    private byte[] read() throws FileRealmException {
        Path file = settings.file();
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new FileRealmException(source(), 0, 0, "", "file is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FileRealmException(source(), 0, 0, "", "file not found");
        } catch (IOException e) {
            throw new FileRealmException(source(), 0, 0, "", "cannot read: " + e.getMessage());
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String source() {
        return settings.file().toString();
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }
}
