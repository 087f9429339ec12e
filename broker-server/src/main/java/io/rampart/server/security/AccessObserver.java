package io.rampart.server.security;

import io.rampart.security.permission.CompiledPermissions;

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

    /**
     * A refused PUBLISH or SUBSCRIBE whose deciding rule was looked up ({@link AccessLog#publishDenied}): {@code rule}
     * names it, or says that no rule matched (a default deny). Called instead of {@link #decided}, which it calls
     * unless overridden.
     */
    default void denied(AccessLog.Action action, String kind, AccessLog.Subject subject, String topic, int qos,
                        String manager, String realm, String reason, CompiledPermissions.Verdict rule) {
        decided(action, false, kind, subject, topic, qos, manager, realm, reason);
    }

    /** A refused TLS handshake ({@code kind} as on the {@code action=TLS} line: {@code revoked}, {@code expired}, ...). */
    default void tlsRefused(String listener, SocketAddress remote, String kind, String certificateSubject,
                            String serial, String reason) {
    }
}
