package io.rampart.server.gate;

import java.net.SocketAddress;

/**
 * What a client presented at CONNECT, for the listener's connection gate. The password is the raw
 * bytes from the packet and must never be logged.
 */
public record ConnectRequest(String listener, String clientId, String username, byte[] password,
                             SocketAddress remoteAddress, int protocolVersion) {
}
