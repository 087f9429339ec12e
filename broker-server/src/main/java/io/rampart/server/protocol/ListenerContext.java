package io.rampart.server.protocol;

import io.rampart.server.gate.ConnectGate;
import io.rampart.server.observe.Observers;
import io.rampart.server.security.AccessLog;

/**
 * What a connection needs to know about the listener that accepted it, and the broker-wide seams it reports to.
 *
 * @param maxConnections connections open at once on the listener, 0 = no limit
 * @param observers      who watches messages and packets (trace recordings)
 */
public record ListenerContext(String name, String type, ConnectGate gate, AccessLog accessLog, int maxConnections,
                              Observers observers) {
}
