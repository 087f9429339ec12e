package io.rampart.server.protocol;

import io.rampart.security.limits.IdentityLimits;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What operators may see of one MQTT connection (admin API), fixed when it was admitted, except the limits, which
 * follow a realm change. No secret is part of it.
 *
 * @param tls           TLS protocol, cipher and client-certificate fields, empty without TLS
 * @param identity      who the connection authenticated as
 * @param manager       the manager (and authorizer) that admitted it
 * @param realm         the realm behind it, or {@code null}
 * @param limits        the limits in force: the strictest of the listener's and the identity's
 * @param maxPacketSize the largest packet the client may send, as CONNACK said
 */
public record ConnectionInfo(String listener, InetSocketAddress address, int protocolVersion, String username,
                             Instant connectedSince, int keepAlive, boolean cleanStart, Map<String, String> tls,
                             String identity, String manager, String realm, Set<String> roles, IdentityLimits limits,
                             int maxPacketSize) {

    public ConnectionInfo {
        tls = tls == null ? Map.of() : Map.copyOf(tls);
        roles = roles == null ? Set.of() : Set.copyOf(roles);
        limits = limits == null ? IdentityLimits.NONE : limits;
    }

    /** The same with other limits in force. */
    public ConnectionInfo withLimits(IdentityLimits newLimits) {
        return new ConnectionInfo(listener, address, protocolVersion, username, connectedSince, keepAlive, cleanStart,
                tls, identity, manager, realm, roles, newLimits, maxPacketSize);
    }
}
