package io.rampart.server.protocol;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.server.gate.ConnectGate;
import io.rampart.server.security.AccessLog;
import io.rampart.server.tracing.Tracing;

/**
 * What a connection needs to know about the listener that accepted it.
 *
 * @param limits        the limits of every client of the listener (its {@code limits:}); a client's role or user
 *                      may set stricter ones
 * @param maxPacketSize the largest packet the listener's decoder accepts: the smaller of {@code mqtt.max-packet-size}
 *                      and the listener's {@code limits.max-packet-size}
 * @param tracing       the broker's distributed tracing, {@code null} when it is off
 */
public record ListenerContext(String name, String type, ConnectGate gate, AccessLog accessLog, IdentityLimits limits,
                             int maxPacketSize, Tracing tracing) {

    public ListenerContext {
        limits = limits == null ? IdentityLimits.NONE : limits;
    }
}
