package io.rampart.server.observe;

/**
 * Watches chosen connections packet by packet (trace recordings). Asked on the connection's event loop when a
 * client sends CONNECT, and again for every live connection when the taps change ({@link Observers#tapsChanged()}).
 * A connection no tap wants carries nothing and pays nothing per packet.
 */
public interface PacketTap {

    /** The sink for this connection's packets, or {@code null} when the tap does not want it. */
    PacketSink open(TapSubject subject);
}
