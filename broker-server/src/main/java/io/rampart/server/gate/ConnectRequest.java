package io.rampart.server.gate;

import java.net.SocketAddress;
import java.util.Map;

/**
 * What a client presented at CONNECT, for the listener's connection gate. The password is the raw
 * bytes from the packet and must never be logged.
 *
 * @param tlsVariables on TLS listeners the negotiated protocol and cipher and the client certificate's fields
 *                     ({@code tls-subject-cn}, ...), else empty
 */
public record ConnectRequest(String listener, String clientId, String username, byte[] password,
                             SocketAddress remoteAddress, int protocolVersion, Map<String, String> tlsVariables) {

    public ConnectRequest {
        tlsVariables = tlsVariables == null ? Map.of() : tlsVariables;
    }

    /** A request from a listener without TLS. */
    public ConnectRequest(String listener, String clientId, String username, byte[] password,
                          SocketAddress remoteAddress, int protocolVersion) {
        this(listener, clientId, username, password, remoteAddress, protocolVersion, Map.of());
    }
}
