package io.rampart.server.protocol;

import io.rampart.core.session.Will;

/**
 * A CONNECT that passed the protocol checks and waits for the listener's gate: everything the answer needs,
 * fixed before authentication starts.
 *
 * @param clientId          the client identifier; the broker's own when the client sent none
 * @param assignedId        whether the broker assigned it (MQTT 5: Assigned Client Identifier in CONNACK)
 * @param protocolVersion   3, 4 or 5
 * @param username          the user name of the CONNECT, or {@code null}
 * @param cleanStart        clean start (MQTT 3: clean session)
 * @param requestedExpiry   the session expiry interval the client asked for, seconds
 * @param grantedExpiry     the one granted, bounded by {@code mqtt.max-session-expiry}
 * @param keepAlive         the client's keep alive, seconds
 * @param serverKeepAlive   the keep alive the broker sets (MQTT 5 Server Keep Alive); {@code keepAlive} when that
 *                          was accepted
 * @param will              the will, or {@code null}
 * @param client            the limits the client declared
 * @param authMethod        the MQTT 5 Authentication Method, or {@code null} without enhanced authentication
 */
public record ConnectAttempt(String clientId, boolean assignedId, int protocolVersion, String username,
                             boolean cleanStart, long requestedExpiry, long grantedExpiry, int keepAlive,
                             int serverKeepAlive, Will will, ClientLimits client, String authMethod) {

    public boolean v5() {
        return protocolVersion == 5;
    }

    /** Whether CONNACK must tell an MQTT 5 client the session expiry interval it was granted instead. */
    boolean expiryChanged() {
        return v5() && grantedExpiry != requestedExpiry;
    }

    /** The keep alive in force: the Server Keep Alive for MQTT 5, the client's own for MQTT 3. */
    public int effectiveKeepAlive() {
        return v5() ? serverKeepAlive : keepAlive;
    }
}
