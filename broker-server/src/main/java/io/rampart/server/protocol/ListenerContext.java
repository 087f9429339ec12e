package io.rampart.server.protocol;

import io.rampart.server.gate.ConnectGate;
import io.rampart.server.security.AccessLog;
import io.rampart.server.tracing.Tracing;

/**
 * What a connection needs to know about the listener that accepted it.
 *
 * @param maxConnections connections open at once on the listener, 0 = no limit
 * @param tracing        the broker's distributed tracing, {@code null} when it is off
 */
public record ListenerContext(String name, String type, ConnectGate gate, AccessLog accessLog, int maxConnections,
                              Tracing tracing) {

    /** A listener of a broker without distributed tracing. */
    public ListenerContext(String name, String type, ConnectGate gate, AccessLog accessLog, int maxConnections) {
        this(name, type, gate, accessLog, maxConnections, null);
    }
}
