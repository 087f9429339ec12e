package io.rampart.server.observe;

import java.util.Map;

/**
 * One MQTT packet of a tapped connection.
 *
 * @param timeMillis when it was read or written (epoch milliseconds)
 * @param inbound    from the client ({@code true}) or to it
 * @param clientId   the connection's client id
 * @param listener   the listener's name
 * @param type       the MQTT packet type, e.g. {@code PUBLISH}
 * @param topics     the topic of a PUBLISH, the filters of a SUBSCRIBE or UNSUBSCRIBE, the will topic of a
 *                   CONNECT; empty for packets without one
 * @param fields     everything else in the order it should be shown: packet id, QoS, flags, properties, reason
 *                   codes, the security decision; values are strings, numbers, booleans, lists and maps
 * @param payload    the payload when the sink asked for payloads and the packet has one, else {@code null}
 */
public record PacketRecord(long timeMillis, boolean inbound, String clientId, String listener, String type,
                           java.util.List<String> topics, Map<String, Object> fields, byte[] payload) {
}
