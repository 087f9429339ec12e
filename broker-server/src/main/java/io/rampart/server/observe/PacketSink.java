package io.rampart.server.observe;

/**
 * Receives the packets of one tapped connection, in and out, on the connection's event loop. Must not block.
 */
public interface PacketSink {

    /** Whether packets of this MQTT type ({@code PUBLISH}, {@code CONNECT}, ...) interest the sink at all. */
    boolean wants(String type);

    /** Whether records should carry payloads, correlation data and user properties. */
    boolean payloads();

    /** One packet. */
    void packet(PacketRecord record);

    /** {@code false} once the sink has ended (its recording stopped): the connection then forgets it. */
    boolean isOpen();
}
