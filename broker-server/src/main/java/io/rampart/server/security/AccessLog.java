package io.rampart.server.security;

import io.rampart.admin.live.AccessDecision;
import io.rampart.admin.live.LiveFeed;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.logging.JsonText;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line per security decision on the {@code rampart.access} logger (its own rolling file in the
 * shipped Log4j2 configuration). The line is complete in itself — timestamp included — so the appender
 * layout is just {@code %m%n}:
 *
 * <pre>
 * 2026-11-26T10:15:30.123Z action=CONNECT result=DENIED kind=bad-credentials listener=tcp remote=10.0.0.7 port=53211 client="dev-1" user="alice" identity=- topic=- qos=- manager="password-local" realm="local" reason="wrong password for 'alice'"
 * </pre>
 *
 * Fields that the client controls are always quoted and escaped, and come after {@code remote=}, so a
 * crafted client id cannot forge a line or another address (Fail2Ban filters anchor on the fixed prefix).
 * Unknown values are written as {@code -}. Passwords and payloads are never logged. Allowed PUBLISH
 * decisions can be sampled or switched off; denials never are.
 *
 * <p>The values of {@code action} ({@link Action}) and of {@code kind} ({@link Kind}, plus the TLS layer's
 * handshake failure kinds on {@code action=TLS} lines) are the vocabulary operators and log tools match on;
 * docs/SECURITY.md lists every one of them (a test keeps the two in step).
 */
public final class AccessLog {

    public static final String LOGGER = "rampart.access";
    private static final Logger LOG = LogManager.getLogger(LOGGER);

    /**
     * Who is asking, for every line: the client's listener, address, client id and user name as presented, and the
     * identity it was authenticated as ({@code null} before that, or when refused without one).
     */
    public record Subject(String listener, SocketAddress remote, String clientId, String username, String identity) {

        public Subject withIdentity(String authenticated) {
            return new Subject(listener, remote, clientId, username, authenticated);
        }
    }

    /** The decision's outcome. */
    public enum Result { ALLOWED, DENIED }

    /** What a line is about: the {@code action} field. */
    public enum Action {
        /** A CONNECT, allowed or refused. */
        CONNECT,
        /** The will of a CONNECT, or a will dropped at a re-authentication. */
        WILL,
        PUBLISH,
        /** One filter of a SUBSCRIBE. */
        SUBSCRIBE,
        /** An MQTT 5 re-authentication (AUTH 0x19) of a live session. */
        AUTH,
        /** A session closed because the credential behind its identity expired (token, certificate). */
        EXPIRED,
        /** A refused TLS handshake. */
        TLS
    }

    /** Why a CONNECT, WILL, PUBLISH, SUBSCRIBE, AUTH or EXPIRED line was refused: its {@code kind} field. */
    public enum Kind {
        /** Unknown user, wrong or missing password, invalid token. */
        BAD_CREDENTIALS("bad-credentials"),
        /** Authenticated, but not allowed to do this. */
        NOT_AUTHORIZED("not-authorized"),
        /** A realm could not answer in time. */
        UNAVAILABLE("unavailable"),
        /** The identity's client-id rules do not allow the CONNECT's client id. */
        CLIENT_ID_NOT_ALLOWED("client-id-not-allowed"),
        /** The client id's session belongs to another identity. */
        CLIENT_ID_OWNED("client-id-owned"),
        /** A re-authentication with another method than the CONNECT's. */
        BAD_AUTHENTICATION_METHOD("bad-authentication-method"),
        /** The credential behind the session's identity expired. */
        CREDENTIAL_EXPIRED("credential-expired"),
        /** The client id, user name or address is on the ban list (admin API). */
        BANNED("banned");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        /** As written in the line. */
        public String text() {
            return text;
        }
    }

    /** The kind of a refused CONNECT or re-authentication, or {@code null} for an accepted one. */
    public static String kind(ConnectDecision.Outcome outcome) {
        return switch (outcome) {
            case BAD_CREDENTIALS -> Kind.BAD_CREDENTIALS.text();
            case NOT_AUTHORIZED -> Kind.NOT_AUTHORIZED.text();
            case SERVER_UNAVAILABLE -> Kind.UNAVAILABLE.text();
            case BANNED -> Kind.BANNED.text();
            case ACCEPTED -> null;
        };
    }

    private final boolean json;
    private final boolean publishAllowed;
    private final int sampleRate;
    private final AtomicLong publishCounter = new AtomicLong();
    private volatile AccessObserver[] observers = new AccessObserver[0];
    private volatile LiveFeed feed = LiveFeed.NONE;

    public AccessLog(boolean json, boolean publishAllowed, int sampleRate) {
        this.json = json;
        this.publishAllowed = publishAllowed;
        this.sampleRate = Math.max(1, sampleRate);
    }

    /** Also hands every decision to {@code observer}; with none, each decision pays one volatile read. */
    public synchronized void addObserver(AccessObserver observer) {
        AccessObserver[] more = java.util.Arrays.copyOf(observers, observers.length + 1);
        more[more.length - 1] = observer;
        observers = more;
    }

    /**
     * Also hand every line to the Control Center's live tail (the decisions this log records, whatever the
     * logger's level); while nobody watches, that costs one volatile read per decision.
     */
    public void feed(LiveFeed liveFeed) {
        this.feed = liveFeed;
    }

    public static AccessLog plain() {
        return new AccessLog(false, true, 1);
    }

    /** A CONNECT; {@code kind} is a {@link Kind#text()} for a refusal (see {@link #kind(ConnectDecision.Outcome)}). */
    public void connect(Subject s, boolean allowed, String kind, String manager, String realm, String reason) {
        write(Action.CONNECT, allowed, kind, s, null, -1, manager, realm, reason);
    }

    /** An MQTT 5 re-authentication (AUTH 0x19) of a live session; {@code kind} as for {@link #connect}. */
    public void reauth(Subject s, boolean allowed, String kind, String manager, String realm, String reason) {
        write(Action.AUTH, allowed, kind, s, null, -1, manager, realm, reason);
    }

    /** A session closed because the credential behind its identity expired (e.g. a token's {@code exp}). */
    public void expired(Subject s, String manager, String realm, String reason) {
        write(Action.EXPIRED, false, Kind.CREDENTIAL_EXPIRED.text(), s, null, -1, manager, realm, reason);
    }

    public void will(Subject s, String topic, int qos, boolean allowed, String manager, String realm, String reason) {
        write(Action.WILL, allowed, allowed ? null : Kind.NOT_AUTHORIZED.text(), s, topic, qos, manager, realm, reason);
    }

    public void publish(Subject s, String topic, int qos, boolean allowed, String manager, String realm, String reason) {
        if (allowed && (!publishAllowed || (sampleRate > 1 && publishCounter.getAndIncrement() % sampleRate != 0))) {
            return;
        }
        write(Action.PUBLISH, allowed, allowed ? null : Kind.NOT_AUTHORIZED.text(), s, topic, qos, manager, realm, reason);
    }

    /**
     * A refused PUBLISH with the rule that decided it, which observers get ({@link AccessObserver#denied}); the line
     * is the one {@link #publish} writes. {@code rule} is {@code null} when the permissions name none.
     */
    public void publishDenied(Subject s, String topic, int qos, String manager, String realm, String reason,
                              CompiledPermissions.Verdict rule) {
        write(Action.PUBLISH, false, Kind.NOT_AUTHORIZED.text(), s, topic, qos, manager, realm, reason, rule);
    }

    /** A refused SUBSCRIBE with the rule that decided it, as {@link #publishDenied}. */
    public void subscribeDenied(Subject s, String filter, int qos, String manager, String realm, String reason,
                                CompiledPermissions.Verdict rule) {
        write(Action.SUBSCRIBE, false, Kind.NOT_AUTHORIZED.text(), s, filter, qos, manager, realm, reason, rule);
    }

    public void subscribe(Subject s, String filter, int qos, boolean allowed, String manager, String realm, String reason) {
        write(Action.SUBSCRIBE, allowed, allowed ? null : Kind.NOT_AUTHORIZED.text(), s, filter, qos, manager, realm, reason);
    }

    /**
     * A refused TLS handshake: the client never got to CONNECT, so instead of client and user the line names the
     * certificate (subject DN and serial) when the client presented one.
     *
     * <pre>
     * 2026-11-26T10:15:30.123Z action=TLS result=DENIED kind=revoked listener=tls remote=10.0.0.7 port=53211 subject="CN=dev-1" serial="1f3a" reason="... revoked (CRL file, reason keyCompromise ...)"
     * </pre>
     */
    public void tlsFailure(String listener, SocketAddress remote, String kind, String subject, String serial,
                           String reason) {
        for (AccessObserver o : observers) {
            o.tlsRefused(listener, remote, kind, subject, serial, reason);
        }
        LiveFeed f = feed;
        if (f.wantsAccess()) {
            InetSocketAddress inet = remote instanceof InetSocketAddress a ? a : null;
            f.access(new AccessDecision(Instant.now(), Action.TLS.name(), false, kind, listener,
                    inet == null ? null : inet.getAddress(), inet == null ? -1 : inet.getPort(), null, null, null,
                    null, -1, null, null, reason, subject));
        }
        if (!LOG.isWarnEnabled()) {
            return;
        }
        String host = "-";
        String port = "-";
        if (remote instanceof InetSocketAddress inet) {
            host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            port = Integer.toString(inet.getPort());
        }
        StringBuilder b = new StringBuilder(256);
        if (json) {
            b.append('{');
            field(b, "time", DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
            field(b, "action", Action.TLS.name());
            field(b, "result", "DENIED");
            field(b, "kind", kind);
            field(b, "listener", listener);
            field(b, "remote", host);
            b.append("\"port\":").append("-".equals(port) ? "null" : port).append(',');
            field(b, "subject", subject);
            field(b, "serial", serial);
            b.append("\"reason\":");
            jsonString(b, reason);
            b.append('}');
        } else {
            b.append(DateTimeFormatter.ISO_INSTANT.format(Instant.now()))
                    .append(" action=").append(Action.TLS.name())
                    .append(" result=DENIED kind=").append(kind == null ? "-" : kind)
                    .append(" listener=").append(listener)
                    .append(" remote=").append(host)
                    .append(" port=").append(port)
                    .append(" subject=");
            quoted(b, subject);
            b.append(" serial=");
            quoted(b, serial);
            b.append(" reason=");
            quoted(b, reason);
        }
        LOG.warn(b.toString());
    }

    /** Whether allowed PUBLISH lines are written at all (lets the hot path skip building arguments). */
    public boolean logsAllowedPublish() {
        return publishAllowed && LOG.isInfoEnabled();
    }

    private void write(Action action, boolean allowed, String kind, Subject s, String topic, int qos, String manager,
                       String realm, String reason) {
        write(action, allowed, kind, s, topic, qos, manager, realm, reason, null);
    }

    /** @param rule the rule that decided a denial, or {@code null}: observers then get {@link AccessObserver#decided} */
    private void write(Action action, boolean allowed, String kind, Subject s, String topic, int qos, String manager,
                       String realm, String reason, CompiledPermissions.Verdict rule) {
        for (AccessObserver o : observers) {
            if (rule == null) {
                o.decided(action, allowed, kind, s, topic, qos, manager, realm, reason);
            } else {
                o.denied(action, kind, s, topic, qos, manager, realm, reason, rule);
            }
        }
        LiveFeed f = feed;
        if (f.wantsAccess()) {
            InetSocketAddress inet = s.remote() instanceof InetSocketAddress a ? a : null;
            f.access(new AccessDecision(Instant.now(), action.name(), allowed, kind, s.listener(),
                    inet == null ? null : inet.getAddress(), inet == null ? -1 : inet.getPort(), s.clientId(),
                    s.username(), s.identity(), topic, qos, manager, realm, reason, null));
        }
        Logger log = LOG;
        if (allowed ? !log.isInfoEnabled() : !log.isWarnEnabled()) {
            return;
        }
        String host = "-";
        String port = "-";
        if (s.remote() instanceof InetSocketAddress inet) {
            host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            port = Integer.toString(inet.getPort());
        }
        String line = json
                ? jsonLine(action, allowed, kind, s, host, port, topic, qos, manager, realm, reason)
                : plainLine(action, allowed, kind, s, host, port, topic, qos, manager, realm, reason);
        if (allowed) {
            log.info(line);
        } else {
            log.warn(line);
        }
    }

    private static String plainLine(Action action, boolean allowed, String kind, Subject s, String host, String port,
                                    String topic, int qos, String manager, String realm, String reason) {
        StringBuilder b = new StringBuilder(256);
        b.append(DateTimeFormatter.ISO_INSTANT.format(Instant.now()))
                .append(" action=").append(action.name())
                .append(" result=").append(allowed ? "ALLOWED" : "DENIED")
                .append(" kind=").append(kind == null ? "-" : kind)
                .append(" listener=").append(s.listener())
                .append(" remote=").append(host)
                .append(" port=").append(port)
                .append(" client=");
        quoted(b, s.clientId());
        b.append(" user=");
        quoted(b, s.username());
        b.append(" identity=");
        quoted(b, s.identity());
        b.append(" topic=");
        quoted(b, topic);
        b.append(" qos=").append(qos < 0 ? "-" : Integer.toString(qos));
        b.append(" manager=");
        quoted(b, manager);
        b.append(" realm=");
        quoted(b, realm);
        b.append(" reason=");
        quoted(b, reason);
        return b.toString();
    }

    private static void quoted(StringBuilder b, String value) {
        if (value == null) {
            b.append('-');
            return;
        }
        b.append('"');
        JsonText.escape(b, value);
        b.append('"');
    }

    private static String jsonLine(Action action, boolean allowed, String kind, Subject s, String host, String port,
                                   String topic, int qos, String manager, String realm, String reason) {
        StringBuilder b = new StringBuilder(320);
        b.append('{');
        field(b, "time", DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
        field(b, "action", action.name());
        field(b, "result", allowed ? "ALLOWED" : "DENIED");
        field(b, "kind", kind);
        field(b, "listener", s.listener());
        field(b, "remote", host);
        b.append("\"port\":").append("-".equals(port) ? "null" : port).append(',');
        field(b, "client", s.clientId());
        field(b, "user", s.username());
        field(b, "identity", s.identity());
        field(b, "topic", topic);
        b.append("\"qos\":").append(qos < 0 ? "null" : Integer.toString(qos)).append(',');
        field(b, "manager", manager);
        field(b, "realm", realm);
        b.append("\"reason\":");
        jsonString(b, reason);
        b.append('}');
        return b.toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":");
        jsonString(b, value);
        b.append(',');
    }

    private static void jsonString(StringBuilder b, String value) {
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        JsonText.escape(b, value);
        b.append('"');
    }

}
