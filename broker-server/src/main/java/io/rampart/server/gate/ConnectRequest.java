package io.rampart.server.gate;

import java.net.SocketAddress;
import java.util.Map;

/**
 * What a client presented at CONNECT (or in an MQTT 5 AUTH re-authentication), for the listener's connection
 * gate. The password and the authentication data are raw bytes from the packet and must never be logged.
 *
 * @param authMethod   the MQTT 5 Authentication Method, or {@code null} without enhanced authentication
 * @param authData     the MQTT 5 Authentication Data, or {@code null}
 * @param tlsVariables on TLS listeners the negotiated protocol and cipher and the client certificate's fields
 *                     ({@code tls-subject-cn}, ...), else empty
 */
public record ConnectRequest(String listener, String clientId, String username, byte[] password,
                             SocketAddress remoteAddress, int protocolVersion, String authMethod, byte[] authData,
                             Map<String, String> tlsVariables) {

    public ConnectRequest {
        tlsVariables = tlsVariables == null ? Map.of() : tlsVariables;
    }

    /** A request without enhanced authentication, from a listener without TLS. */
    public ConnectRequest(String listener, String clientId, String username, byte[] password,
                          SocketAddress remoteAddress, int protocolVersion) {
        this(listener, clientId, username, password, remoteAddress, protocolVersion, null, null, Map.of());
    }
}
