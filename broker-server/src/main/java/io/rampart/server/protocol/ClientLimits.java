package io.rampart.server.protocol;

import io.rampart.core.MqttLimits;

/**
 * What a client declared in its CONNECT about the packets it takes (MQTT 5 §3.1.2.11); MQTT 3 clients have the
 * protocol's defaults. The broker never sends it more than these allow.
 *
 * @param receiveMaximum      QoS 1/2 PUBLISHes the broker may have unacknowledged towards the client
 * @param maximumPacketSize   the largest packet the broker may send it, bytes
 * @param topicAliasMaximum   topic aliases the broker may use towards it, 0 = none
 * @param problemInformation  whether failures may carry a reason string (Request Problem Information)
 */
public record ClientLimits(int receiveMaximum, long maximumPacketSize, int topicAliasMaximum,
                           boolean problemInformation) {

    /** A client that declared nothing. */
    public static final ClientLimits DEFAULT = new ClientLimits(65_535, MqttLimits.MQTT_MAX_PACKET_SIZE + 5L, 0, true);

    /** The defaults with the client's Request Problem Information. */
    static ClientLimits withProblemInformation(boolean problemInformation) {
        return new ClientLimits(DEFAULT.receiveMaximum, DEFAULT.maximumPacketSize, DEFAULT.topicAliasMaximum,
                problemInformation);
    }

    /**
     * {@code reason} as the Reason String of a reply with {@code headBytes} of variable header before its
     * properties, or {@code null} when the client did not ask for problem information or the packet would exceed
     * its Maximum Packet Size with it (MQTT 5 forbids the property then, see {@link Replies#reasonStringFits}).
     */
    String reasonString(int headBytes, String reason) {
        return problemInformation && reason != null && Replies.reasonStringFits(headBytes, reason, maximumPacketSize)
                ? reason : null;
    }
}
