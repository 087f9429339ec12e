package io.rampart.admin.auth;

import io.rampart.admin.config.SessionSettings;
import io.rampart.core.cluster.SharedTable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Browser sessions, held on the server: the cookie carries a random 256-bit id, the table only its SHA-256. A
 * session ends after {@link SessionSettings#idleTimeout()} without use, {@link SessionSettings#absoluteTimeout()}
 * after its login, or at logout. Every login creates a new id (no fixation). Each session has its own CSRF token,
 * which state-changing calls made with the cookie must echo in {@value #CSRF_HEADER}.
 *
 * <p>On a node of a cluster ({@link #share}) the sessions are also in a table every node holds (keyed by the SHA-256
 * of the cookie value, never the value): a cookie issued by one node is valid on every node, and a logout on any node
 * ends it on all of them. Use on a node reaches the others at most once a {@link #SHARED_TOUCH}, so the idle timeout
 * counts use anywhere to within that much.
 */
public final class AdminSessions {

    public static final String CSRF_HEADER = "X-Rampart-CSRF";
    /** Cookie name on HTTPS listeners: {@code __Host-} binds it to this host, path {@code /} and Secure. */
    public static final String SECURE_COOKIE = "__Host-rampart-session";
    /** Cookie name on plain-HTTP listeners (loopback, or {@code allow-plaintext}). */
    public static final String PLAIN_COOKIE = "rampart-session";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = LogManager.getLogger(AdminSessions.class);
    /** How often a session's use on one node is told to the others. */
    static final Duration SHARED_TOUCH = Duration.ofMinutes(1);

    private final SessionSettings settings;
    private final Clock clock;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private volatile SharedTable shared;
    private volatile Executor writer;

    /** One session. Its principal is fixed at login. */
    public static final class Session {
        private final AdminPrincipal principal;
        private final String csrfToken;
        private final Instant createdAt;
        private final String key;
        private final java.net.URI endSession;
        private volatile Instant lastUsedAt;
        private volatile Instant sharedAt;

        Session(String key, AdminPrincipal principal, String csrfToken, Instant createdAt, java.net.URI endSession) {
            this.key = key;
            this.endSession = endSession;
            this.principal = principal;
            this.csrfToken = csrfToken;
            this.createdAt = createdAt;
            this.lastUsedAt = createdAt;
            this.sharedAt = createdAt;
        }

        /** Used at {@code when} (on another node); never moves the last use back. */
        void touched(Instant when) {
            if (when.isAfter(lastUsedAt)) {
                lastUsedAt = when;
                sharedAt = when;
            }
        }

        public AdminPrincipal principal() {
            return principal;
        }

        public String csrfToken() {
            return csrfToken;
        }

        public Instant createdAt() {
            return createdAt;
        }

        public Instant lastUsedAt() {
            return lastUsedAt;
        }

        /** Where the browser may also sign out at the identity provider (single sign-on), or {@code null}. */
        public java.net.URI endSession() {
            return endSession;
        }

        /** Whether {@code presented} is this session's CSRF token (constant time). */
        public boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                    csrfToken.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A new session: the cookie value (shown once) and the session. */
    public record Created(String id, Session session) {
        @Override
        public String toString() {
            return "Created[" + session.principal().name() + "]";
        }
    }

    public AdminSessions(SessionSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public SessionSettings settings() {
        return settings;
    }

    public Created create(AdminPrincipal principal) {
        return create(principal, null);
    }

    /** @param endSession the identity provider's logout for this sign-in, or {@code null} */
    public Created create(AdminPrincipal principal, java.net.URI endSession) {
        purgeExpired();
        if (sessions.size() >= settings.maxSessions()) {
            sessions.entrySet().stream().min(Comparator.comparing(e -> e.getValue().createdAt))
                    .ifPresent(e -> sessions.remove(e.getKey(), e.getValue()));
        }
        String id = random();
        String key = hash(id);
        Session session = new Session(key, principal.viaSession(), random(), clock.instant(), endSession);
        sessions.put(key, session);
        shareWrite(key, session);
        return new Created(id, session);
    }

    /** The live session of a cookie value, touched; {@code null} when unknown or expired (then removed). */
    public Session find(String id) {
        return find(id, true);
    }

    /**
     * The live session of a cookie value; {@code null} when unknown or expired (then removed).
     *
     * @param touch whether this use counts as activity (it does not for refreshes nobody asked for and live streams,
     *              so a session left alone still ends after its idle timeout)
     */
    public Session find(String id, boolean touch) {
        if (id == null || id.isEmpty() || id.length() > 64) {
            return null;
        }
        String key = hash(id);
        Session s = sessions.get(key);
        if (s == null) {
            s = fromCluster(key);
            if (s == null) {
                return null;
            }
        }
        Instant now = clock.instant();
        if (expired(s, now)) {
            sessions.remove(key, s);
            return null;
        }
        if (touch) {
            s.lastUsedAt = now;
            if (shared != null && !now.isBefore(s.sharedAt.plus(SHARED_TOUCH))) {
                s.sharedAt = now;
                shareWrite(key, s);
            }
        }
        return s;
    }

    /** Whether {@code s} is still in force (not ended, not expired); does not count as use. */
    public boolean isLive(Session s) {
        return sessions.get(s.key) == s && !expired(s, clock.instant());
    }

    /** When a session ends unless used again. */
    public Instant expiresAt(Session s) {
        Instant idle = s.lastUsedAt.plus(settings.idleTimeout());
        Instant absolute = s.createdAt.plus(settings.absoluteTimeout());
        return idle.isBefore(absolute) ? idle : absolute;
    }

    /** Ends the session of a cookie value (logout); {@code false} when there was none. */
    public boolean remove(String id) {
        if (id == null) {
            return false;
        }
        String key = hash(id);
        boolean there = shared != null && shared.get(key) != null;
        shareRemove(key);
        return sessions.remove(key) != null || there;
    }

    /** Ends every session of {@code name} in {@code realm} (e.g. after its password changed), except {@code keep}. */
    public void removeAllOf(String name, String realm, Session keep) {
        sessions.entrySet().removeIf(e -> e.getValue() != keep && e.getValue().principal.name().equals(name)
                && java.util.Objects.equals(e.getValue().principal.realm(), realm));
        SharedTable table = shared;
        if (table != null) {
            for (Map.Entry<String, byte[]> e : table.entries().entrySet()) {
                if (keep != null && e.getKey().equals(keep.key)) {
                    continue;
                }
                try {
                    AdminPrincipal p = SessionCodec.decode(e.getKey(), e.getValue()).principal();
                    if (p.name().equals(name) && java.util.Objects.equals(p.realm(), realm)) {
                        shareRemove(e.getKey());
                    }
                } catch (IOException ex) {
                    LOG.warn("an admin session shared by another node cannot be read: {}", ex.getMessage());
                }
            }
        }
    }

    /**
     * Shares the sessions with the other nodes of a cluster through {@code table}; its writes run on {@code writer}
     * (never on the caller's thread, which may be an event loop). The sessions this node already has go in too.
     */
    public void share(SharedTable table, Executor writer) {
        this.writer = writer;
        table.listen((key, value) -> {
            if (value == null) {
                sessions.remove(key);
                return;
            }
            Session here = sessions.get(key);
            if (here != null) {
                try {
                    here.touched(SessionCodec.decode(key, value).lastUsedAt());
                } catch (IOException e) {
                    LOG.warn("an admin session shared by another node cannot be read: {}", e.getMessage());
                }
            }
        });
        this.shared = table;
        sessions.forEach(this::shareWrite);
    }

    /** The session of {@code key} another node created, now known here too; {@code null} when there is none. */
    private Session fromCluster(String key) {
        SharedTable table = shared;
        byte[] value = table == null ? null : table.get(key);
        if (value == null) {
            return null;
        }
        try {
            Session s = SessionCodec.decode(key, value);
            Session before = sessions.putIfAbsent(key, s);
            return before == null ? s : before;
        } catch (IOException e) {
            LOG.warn("an admin session shared by another node cannot be read and is refused: {}", e.getMessage());
            return null;
        }
    }

    private void shareWrite(String key, Session s) {
        SharedTable table = shared;
        if (table == null) {
            return;
        }
        Instant absolute = s.createdAt.plus(settings.absoluteTimeout());
        byte[] value = SessionCodec.encode(s);
        offload(() -> table.put(key, value, absolute));
    }

    private void shareRemove(String key) {
        SharedTable table = shared;
        if (table != null) {
            offload(() -> table.remove(key));
        }
    }

    private void offload(Runnable write) {
        try {
            writer.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    LOG.warn("admin sessions: a change was not shared with the other nodes of the cluster: {}",
                            e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("admin sessions: a change was not shared with the other nodes of the cluster (busy)");
        }
    }

    public int size() {
        return sessions.size();
    }

    /** Drops expired sessions (called periodically and before a login). */
    public void purgeExpired() {
        Instant now = clock.instant();
        for (Map.Entry<String, Session> e : sessions.entrySet()) {
            if (expired(e.getValue(), now)) {
                sessions.remove(e.getKey(), e.getValue());
            }
        }
    }

    private boolean expired(Session s, Instant now) {
        return !now.isBefore(expiresAt(s));
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String hash(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
