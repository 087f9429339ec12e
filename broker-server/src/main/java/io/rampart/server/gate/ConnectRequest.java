package io.rampart.server.gate;

import java.net.SocketAddress;

/**
 * What a client presented at CONNECT (or in an MQTT 5 AUTH re-authentication), for the listener's connection
 * gate. The password and the authentication data are raw bytes from the packet and must never be logged.
 *
 * @param authMethod the MQTT 5 Authentication Method, or {@code null} without enhanced authentication
 * @param authData   the MQTT 5 Authentication Data, or {@code null}
 */
public record ConnectRequest(String listener, String clientId, String username, byte[] password,
                             SocketAddress remoteAddress, int protocolVersion, String authMethod, byte[] authData) {

    /** A request without enhanced authentication. */
    public ConnectRequest(String listener, String clientId, String username, byte[] password,
                          SocketAddress remoteAddress, int protocolVersion) {
        this(listener, clientId, username, password, remoteAddress, protocolVersion, null, null);
    }
}
