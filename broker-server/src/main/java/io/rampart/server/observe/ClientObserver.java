package io.rampart.server.observe;

import io.rampart.security.permission.CompiledPermissions;

import java.net.InetSocketAddress;

/**
 * Sees what happens to clients (connects, refusals, disconnects, subscriptions, wills, expired sessions) on the
 * thread where it happens (an event loop, or the broker's timers): implementations must not block. Registered with
 * {@code BrokerEvents#addObserver}; every method does nothing unless overridden.
 */
public interface ClientObserver {

    /**
     * A client was admitted (CONNACK 0x00).
     *
     * @param tlsProtocol the TLS protocol, or {@code null} without TLS
     * @param tlsSubject  the client certificate's subject, or {@code null}
     */
    default void connected(String listener, InetSocketAddress address, String clientId, String username,
                           int protocolVersion, boolean cleanStart, boolean sessionPresent, int keepAlive,
                           String tlsProtocol, String tlsCipher, String tlsSubject) {
    }

    /** A CONNECT was refused with {@code reasonCode}; {@code clientId} may be {@code null} (not readable). */
    default void refused(String listener, InetSocketAddress address, String clientId, int reasonCode, String reason) {
    }

    /**
     * A CONNECT refused by a client-id rule: {@code rule} names the rule that refused the client id. Calls
     * {@link #refused(String, InetSocketAddress, String, int, String)} unless overridden.
     */
    default void refusedByRule(String listener, InetSocketAddress address, String clientId, int reasonCode,
                               String reason, CompiledPermissions.Verdict rule) {
        refused(listener, address, clientId, reasonCode, reason);
    }

    /**
     * An admitted client's connection ended.
     *
     * @param close      why, as the {@code close} field of the event log ({@code client-disconnect}, {@code takeover}, ...)
     * @param reasonCode the MQTT 5 reason code sent or received with DISCONNECT, or -1
     */
    default void disconnected(String listener, InetSocketAddress address, String clientId, String close,
                              int reasonCode, String reason) {
    }

    default void subscribed(String clientId, String filter, int qos) {
    }

    default void unsubscribed(String clientId, String filter) {
    }

    default void willPublished(String clientId, String topic, int qos, boolean retain) {
    }

    default void sessionExpired(String clientId) {
    }
}
