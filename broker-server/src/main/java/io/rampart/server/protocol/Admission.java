package io.rampart.server.protocol;

import io.rampart.core.session.Session;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.server.gate.ClientPermissions;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.security.AccessLog;

/**
 * What CONNACK admitted on one connection, decided once: the CONNECT's negotiated terms, the gate's decision
 * (identity, permissions, the manager and realm that vouched for it), the session the connection is bound to,
 * the limits in force and the subject its access-log lines name. Immutable; the code that serves the connection
 * receives it with every packet. It is replaced as a whole when an MQTT 5 re-authentication changes the identity
 * ({@link #reauthenticated}) or a realm change the identity's limits ({@link #withLimits}).
 *
 * @param connect        the CONNECT as accepted
 * @param decision       the gate's accepting decision (the latest re-authentication's, after one)
 * @param session        the session the connection is bound to
 * @param sessionPresent whether the session existed before (CONNACK Session Present)
 * @param subject        who the connection is, for access-log lines
 * @param limits         the limits in force: the strictest of the listener's and the identity's
 * @param maxPacketSize  the largest packet the client may send, as CONNACK told an MQTT 5 client: the smallest of
 *                       {@code mqtt.max-packet-size} and the listener's and the identity's {@code max-packet-size};
 *                       fixed for the connection's life
 */
public record Admission(ConnectAttempt connect, ConnectDecision decision, Session session, boolean sessionPresent,
                        AccessLog.Subject subject, IdentityLimits limits, int maxPacketSize) {

    public String clientId() {
        return connect.clientId();
    }

    public boolean v5() {
        return connect.v5();
    }

    /** The limits the client declared. */
    public ClientLimits client() {
        return connect.client();
    }

    /** What the connection may do; answers from memory, changes when a realm change re-authorizes the session. */
    public ClientPermissions permissions() {
        return decision.permissions();
    }

    /** The manager that admitted the client (access log). */
    public String manager() {
        return decision.manager();
    }

    /** The realm behind it, or {@code null} (access log). */
    public String realm() {
        return decision.realm();
    }

    /** After a successful MQTT 5 re-authentication: the same connection with the new decision and identity. */
    Admission reauthenticated(ConnectDecision newDecision) {
        return new Admission(connect, newDecision, session, sessionPresent, subject.withIdentity(newDecision.identity()),
                limits, maxPacketSize);
    }

    /** The same connection with other rate limits in force ({@code maxPacketSize} stays as CONNACK said). */
    Admission withLimits(IdentityLimits newLimits) {
        return new Admission(connect, decision, session, sessionPresent, subject, newLimits, maxPacketSize);
    }
}
