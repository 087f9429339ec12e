package io.rampart.server.config;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.tls.TlsSettings;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One network listener.
 *
 * @param type           tcp, websocket, tls, secure-websocket or admin (HTTP: metrics, health, log levels)
 * @param name           unique name used in log lines and metrics: letters, digits, '.', '_' or '-', at most 64
 * @param bind           IP literal or host name to listen on (never resolved during validation)
 * @param port           0..65535; 0 lets the operating system pick a free port
 * @param path           (secure) websocket only: the HTTP path of the upgrade, starts with '/'; {@code null} on
 *                       tcp and tls listeners and defaults to {@value #DEFAULT_WEBSOCKET_PATH} on websocket listeners
 * @param allowAnonymous whether clients may connect without credentials
 * @param tls            tls and secure-websocket: the TLS settings (key material {@code null} means the
 *                       development certificate); admin: HTTPS when set, plain HTTP when {@code null}; {@code null}
 *                       on the other types
 * @param maxConnections MQTT listeners: connections open at once on this listener, 0 = no limit; a connection
 *                       beyond it is closed as soon as it is accepted
 * @param allowPlaintext admin listeners only: serve plain HTTP on a non-loopback address (without it such a listener
 *                       needs {@code tls})
 * @param connectionRate MQTT listeners: new connections per second, with a burst; a connection beyond it is closed
 *                       as soon as it is accepted (before TLS); {@code null} = no limit
 * @param perAddress     MQTT listeners: connection count and rate per source address, or {@code null}
 * @param limits         MQTT listeners: the limits of every client of the listener; a client's role or user may set
 *                       stricter ones ({@link IdentityLimits#NONE}: none)
 * @param queue          MQTT listeners: the slow-consumer policy of the listener's clients where it differs from the
 *                       broker's ({@link ListenerQueue#NONE}: the broker's)
 * @throws IllegalArgumentException "key: reason" when a value is impossible
 */
public record ListenerConfig(ListenerType type, String name, String bind, int port, String path, boolean allowAnonymous,
                             TlsSettings tls, int maxConnections, boolean allowPlaintext,
                             IdentityLimits.Rate connectionRate, AddressLimits perAddress, IdentityLimits limits,
                             ListenerQueue queue) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final String DEFAULT_WEBSOCKET_PATH = "/mqtt";
    public static final int MAX_NAME_LENGTH = 64;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_NAME_LENGTH + "}");

    /** A listener without TLS. */
    public ListenerConfig(ListenerType type, String name, String bind, int port, String path, boolean allowAnonymous) {
        this(type, name, bind, port, path, allowAnonymous, null);
    }

    /** A listener without a connection limit. */
    public ListenerConfig(ListenerType type, String name, String bind, int port, String path, boolean allowAnonymous,
                          TlsSettings tls) {
        this(type, name, bind, port, path, allowAnonymous, tls, 0);
    }

    /** A listener that is not an admin listener serving plain HTTP beyond loopback, without connection limits. */
    public ListenerConfig(ListenerType type, String name, String bind, int port, String path, boolean allowAnonymous,
                          TlsSettings tls, int maxConnections) {
        this(type, name, bind, port, path, allowAnonymous, tls, maxConnections, false);
    }

    /** A listener without limits besides {@code maxConnections}. */
    public ListenerConfig(ListenerType type, String name, String bind, int port, String path, boolean allowAnonymous,
                          TlsSettings tls, int maxConnections, boolean allowPlaintext) {
        this(type, name, bind, port, path, allowAnonymous, tls, maxConnections, allowPlaintext, null, null,
                IdentityLimits.NONE);
    }

    /** A listener with the broker's slow-consumer policy. */
    public ListenerConfig(ListenerType type, String name, String bind, int port, String path, boolean allowAnonymous,
                          TlsSettings tls, int maxConnections, boolean allowPlaintext,
                          IdentityLimits.Rate connectionRate, AddressLimits perAddress, IdentityLimits limits) {
        this(type, name, bind, port, path, allowAnonymous, tls, maxConnections, allowPlaintext, connectionRate,
                perAddress, limits, ListenerQueue.NONE);
    }

    public ListenerConfig {
        if (type == null) {
            throw new IllegalArgumentException("type: is required");
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: must be 1 to " + MAX_NAME_LENGTH
                    + " letters, digits, '.', '_' or '-'" + was(name));
        }
        Objects.requireNonNull(bind, "bind");
        if (bind.startsWith("[") && bind.endsWith("]")) {
            bind = bind.substring(1, bind.length() - 1);
        }
        if ("*".equals(bind)) {
            throw new IllegalArgumentException("bind: must be an IP address or a host name;"
                    + " use 0.0.0.0 or :: to listen on every interface");
        }
        if (!BindAddress.isValid(bind)) {
            throw new IllegalArgumentException("bind: must be an IP address or a host name" + was(bind));
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: must be between 0 and 65535 (was " + port + ")");
        }
        if (type.isTls() && tls == null) {
            tls = TlsSettings.defaults(null);
        } else if (!type.isTls() && type != ListenerType.ADMIN && tls != null) {
            throw new IllegalArgumentException("tls: is only allowed on tls, secure-websocket and admin listeners");
        }
        if (type.isWebSocket()) {
            if (path == null) {
                path = DEFAULT_WEBSOCKET_PATH;
            } else if (!path.startsWith("/") || !path.chars().allMatch(ListenerConfig::isPathChar)) {
                throw new IllegalArgumentException("path: must start with '/' and contain no spaces, '?' or '#'"
                        + was(path));
            }
        } else if (path != null) {
            throw new IllegalArgumentException("path: is only allowed on websocket and secure-websocket listeners");
        }
        if (type == ListenerType.ADMIN && allowAnonymous) {
            throw new IllegalArgumentException("allow-anonymous: is only for MQTT listeners (tcp, websocket, tls, secure-websocket)");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max-connections: must be 0 (no limit) or more (was " + maxConnections + ")");
        }
        if (type == ListenerType.ADMIN && maxConnections > 0) {
            throw new IllegalArgumentException("max-connections: is only for MQTT listeners (tcp, websocket, tls, secure-websocket)");
        }
        if (allowPlaintext && type != ListenerType.ADMIN) {
            throw new IllegalArgumentException("allow-plaintext: is only for admin listeners");
        }
        if (allowPlaintext && tls != null) {
            throw new IllegalArgumentException("allow-plaintext: contradicts tls (this listener speaks HTTPS)");
        }
        if (type == ListenerType.ADMIN && tls == null && !allowPlaintext && !BindAddress.isLoopback(bind)) {
            throw new IllegalArgumentException("bind: an admin listener on a non-loopback address needs a tls: block"
                    + " (HTTPS), or allow-plaintext: true to serve plain HTTP there" + was(bind));
        }
        limits = limits == null ? IdentityLimits.NONE : limits;
        if (type == ListenerType.ADMIN && connectionRate != null) {
            throw new IllegalArgumentException("connection-rate: is only for MQTT listeners (tcp, websocket, tls, secure-websocket)");
        }
        if (type == ListenerType.ADMIN && perAddress != null) {
            throw new IllegalArgumentException("per-address: is only for MQTT listeners (tcp, websocket, tls, secure-websocket)");
        }
        if (type == ListenerType.ADMIN && !limits.isNone()) {
            throw new IllegalArgumentException("limits: is only for MQTT listeners (tcp, websocket, tls, secure-websocket)");
        }
        queue = queue == null ? ListenerQueue.NONE : queue;
        if (type == ListenerType.ADMIN && !queue.isNone()) {
            throw new IllegalArgumentException("max-queued-messages, max-queued-bytes, queue-overflow: are only for MQTT"
                    + " listeners (tcp, websocket, tls, secure-websocket)");
        }
    }

    private static boolean isPathChar(int c) {
        return c > 0x20 && c != 0x7f && c != '?' && c != '#';
    }

    private static String was(String value) {
        return value == null ? "" : " (was \"" + value + "\")";
    }
}
