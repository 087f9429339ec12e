package io.rampart.admin.live;

import java.time.Instant;

/**
 * One line of the broker's access log, as the live tail shows it. Fields the client controls (client id, user
 * name, topic) are data, never markup.
 *
 * @param action  {@code CONNECT}, {@code PUBLISH}, {@code SUBSCRIBE}, {@code WILL}, {@code AUTH}, {@code EXPIRED},
 *                {@code TLS}
 * @param allowed whether it was allowed
 * @param kind    why it was refused ({@code bad-credentials}, ...), or {@code null}
 * @param address the client's IP address, or {@code null}
 * @param port    its port, or {@code -1}
 * @param qos     {@code -1} when not about a message
 * @param subject the certificate subject of a refused TLS handshake, else {@code null}
 */
public record AccessDecision(Instant time, String action, boolean allowed, String kind, String listener,
                             java.net.InetAddress address, int port, String client, String user, String identity, String topic,
                             int qos, String manager, String realm, String reason, String subject) {
}
