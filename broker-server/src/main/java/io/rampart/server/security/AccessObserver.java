package io.rampart.server.security;

import java.net.SocketAddress;

/**
 * Sees the security decisions the {@link AccessLog} records, whatever the logger's level, on the thread that made
 * them (often an event loop): implementations must not block and hand real work to a thread of their own. Allowed
 * PUBLISH decisions reach observers only when the access log writes them ({@code publish-allowed}); denials always
 * do. Registered with {@link AccessLog#addObserver}.
 */
public interface AccessObserver {

    /**
     * One decision, with the fields of its access-log line.
     *
     * @param kind  the refusal kind ({@link AccessLog.Kind#text()}), {@code null} when allowed
     * @param topic the topic or filter, or {@code null}
     * @param qos   the QoS, or -1
     */
    void decided(AccessLog.Action action, boolean allowed, String kind, AccessLog.Subject subject, String topic,
                 int qos, String manager, String realm, String reason);

    /** A refused TLS handshake ({@code kind} as on the {@code action=TLS} line: {@code revoked}, {@code expired}, ...). */
    default void tlsRefused(String listener, SocketAddress remote, String kind, String certificateSubject,
                            String serial, String reason) {
    }
}
