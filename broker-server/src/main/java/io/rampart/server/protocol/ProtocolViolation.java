package io.rampart.server.protocol;

/**
 * A client broke the protocol: the connection is closed, with a DISCONNECT carrying {@code reasonCode}
 * for MQTT 5 clients (a plain close for MQTT 3).
 */
final class ProtocolViolation extends RuntimeException {

    final int reasonCode;

    ProtocolViolation(int reasonCode, String message) {
        super(message, null, false, false);
        this.reasonCode = reasonCode;
    }
}
