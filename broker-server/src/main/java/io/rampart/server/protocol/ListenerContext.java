package io.rampart.server.protocol;

import io.rampart.server.gate.ConnectGate;
import io.rampart.server.security.AccessLog;

/**
 * What a connection needs to know about the listener that accepted it.
 *
 * @param maxConnections connections open at once on the listener, 0 = no limit
 */
public record ListenerContext(String name, String type, ConnectGate gate, AccessLog accessLog, int maxConnections) {
}
