package io.rampart.server.observe;

import java.net.InetAddress;

/**
 * Who a connection is, as far as a {@link PacketTap} chooses by it.
 *
 * @param listener the listener's name
 * @param clientId the client id (as presented at CONNECT; the broker's own once it assigned one), never {@code null}
 * @param username the CONNECT user name, or {@code null}
 * @param address  the client's address, or {@code null}
 */
public record TapSubject(String listener, String clientId, String username, InetAddress address) {
}
