package io.rampart.server.protocol;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What operators may see of one MQTT connection (admin API), fixed when it was admitted. No secret is part of it.
 *
 * @param tls       TLS protocol, cipher and client-certificate fields, empty without TLS
 * @param identity  who the connection authenticated as
 * @param manager   the manager (and authorizer) that admitted it
 * @param realm     the realm behind it, or {@code null}
 */
public record ConnectionInfo(String listener, InetSocketAddress address, int protocolVersion, String username,
                             Instant connectedSince, int keepAlive, boolean cleanStart, Map<String, String> tls,
                             String identity, String manager, String realm, Set<String> roles) {

    public ConnectionInfo {
        tls = tls == null ? Map.of() : Map.copyOf(tls);
        roles = roles == null ? Set.of() : Set.copyOf(roles);
    }
}
