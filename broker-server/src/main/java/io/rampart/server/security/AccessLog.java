package io.rampart.server.security;

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

    private final boolean json;
    private final boolean publishAllowed;
    private final int sampleRate;
    private final AtomicLong publishCounter = new AtomicLong();

    public AccessLog(boolean json, boolean publishAllowed, int sampleRate) {
        this.json = json;
        this.publishAllowed = publishAllowed;
        this.sampleRate = Math.max(1, sampleRate);
    }

    public static AccessLog plain() {
        return new AccessLog(false, true, 1);
    }

    public void connect(Subject s, boolean allowed, String kind, String manager, String realm, String reason) {
        write("CONNECT", allowed, kind, s, null, -1, manager, realm, reason);
    }

    /** An MQTT 5 re-authentication (AUTH 0x19) of a live session. */
    public void reauth(Subject s, boolean allowed, String kind, String manager, String realm, String reason) {
        write("AUTH", allowed, kind, s, null, -1, manager, realm, reason);
    }

    /** A session closed because the credential behind its identity expired (e.g. a token's {@code exp}). */
    public void expired(Subject s, String manager, String realm, String reason) {
        write("EXPIRED", false, "credential-expired", s, null, -1, manager, realm, reason);
    }

    public void will(Subject s, String topic, int qos, boolean allowed, String manager, String realm, String reason) {
        write("WILL", allowed, allowed ? null : "not-authorized", s, topic, qos, manager, realm, reason);
    }

    public void publish(Subject s, String topic, int qos, boolean allowed, String manager, String realm, String reason) {
        if (allowed && (!publishAllowed || (sampleRate > 1 && publishCounter.getAndIncrement() % sampleRate != 0))) {
            return;
        }
        write("PUBLISH", allowed, allowed ? null : "not-authorized", s, topic, qos, manager, realm, reason);
    }

    public void subscribe(Subject s, String filter, int qos, boolean allowed, String manager, String realm, String reason) {
        write("SUBSCRIBE", allowed, allowed ? null : "not-authorized", s, filter, qos, manager, realm, reason);
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
            field(b, "action", "TLS");
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
                    .append(" action=TLS result=DENIED kind=").append(kind == null ? "-" : kind)
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

    private void write(String action, boolean allowed, String kind, Subject s, String topic, int qos, String manager,
                       String realm, String reason) {
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

    private static String plainLine(String action, boolean allowed, String kind, Subject s, String host, String port,
                                    String topic, int qos, String manager, String realm, String reason) {
        StringBuilder b = new StringBuilder(256);
        b.append(DateTimeFormatter.ISO_INSTANT.format(Instant.now()))
                .append(" action=").append(action)
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

    private static String jsonLine(String action, boolean allowed, String kind, Subject s, String host, String port,
                                   String topic, int qos, String manager, String realm, String reason) {
        StringBuilder b = new StringBuilder(320);
        b.append('{');
        field(b, "time", DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
        field(b, "action", action);
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
