package io.rampart.core;

/**
 * Protocol limits and rules the broker enforces and advertises (MQTT 5 CONNACK properties where they exist).
 * Validated on construction: an impossible value is rejected with the offending field named.
 *
 * @param maxPacketSize          largest packet accepted from a client, bytes (1..268435455; default 1 MB, as EMQX);
 *                               a listener, role or user may set a smaller one
 * @param maxClientIdLength      longest client identifier accepted, UTF-8 characters (23..65535)
 * @param maxTopicLength         longest topic name or filter, UTF-8 bytes (1..65535)
 * @param maxTopicLevels         most topic levels in a name or filter (1..65535)
 * @param receiveMaximum         QoS 1/2 PUBLISHes a client may have unacknowledged towards the broker (1..65535)
 * @param maxKeepAliveSeconds    largest keep alive accepted; a larger client value is replaced via Server Keep Alive (1..65535)
 * @param allowZeroKeepAlive     whether a client may disable keep alive with 0
 * @param topicAliasMaximum      topic aliases a client may use towards the broker (0..65535)
 * @param maxQos                 maximum QoS the broker supports (0..2)
 * @param retainAvailable        whether retained messages are supported
 * @param wildcardSubscriptions  whether {@code +} and {@code #} may be used in filters
 * @param sharedSubscriptions    whether {@code $share/...} filters are accepted
 * @param maxQueuedMessages      messages queued per session (offline or waiting for the inflight window) (1..)
 * @param queueOverflow          what a full queue does with one more message (the slow-consumer policy)
 * @param queueQos0Offline       whether QoS 0 messages are queued for disconnected persistent sessions
 * @param maxSessionExpirySeconds upper bound for the session expiry interval (0..4294967295)
 * @param maxMessageExpirySeconds upper bound for the message expiry interval, 0 = no bound
 * @param connectTimeoutSeconds  time a new connection has to send CONNECT (1..)
 * @param maxConnectPacketSize   largest packet (or WebSocket frame) accepted before CONNACK has accepted the
 *                               client: the CONNECT itself, MQTT 5 AUTH, anything sent ahead (1..268435455);
 *                               {@link #maxPacketSize} applies when it is smaller
 * @param maxSubscriptionsPerClient subscriptions one session may hold, 0 = no limit; one more is refused
 *                               (SUBACK 0x97 Quota exceeded, MQTT 3.1.1: 0x80)
 * @param clientIdOwnership      whether a client id's existing session may be taken by another identity
 * @param maxQueuedBytes         bytes queued per session as the memory budget counts them, 0 = no bound of its own
 */
public record MqttLimits(
        int maxPacketSize,
        int maxClientIdLength,
        int maxTopicLength,
        int maxTopicLevels,
        int receiveMaximum,
        int maxKeepAliveSeconds,
        boolean allowZeroKeepAlive,
        int topicAliasMaximum,
        int maxQos,
        boolean retainAvailable,
        boolean wildcardSubscriptions,
        boolean sharedSubscriptions,
        int maxQueuedMessages,
        QueueOverflowPolicy queueOverflow,
        boolean queueQos0Offline,
        long maxSessionExpirySeconds,
        long maxMessageExpirySeconds,
        int connectTimeoutSeconds,
        int maxConnectPacketSize,
        int maxSubscriptionsPerClient,
        ClientIdOwnership clientIdOwnership,
        long maxQueuedBytes) {

    /** The largest value of MQTT's variable byte integer, which bounds a packet's size. */
    public static final int MQTT_MAX_PACKET_SIZE = 268_435_455;
    public static final long MQTT_MAX_SESSION_EXPIRY = 4_294_967_295L;

    /** The default {@link #maxPacketSize}: 1 MB. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 1_048_576;

    public static final MqttLimits DEFAULTS = new MqttLimits(
            DEFAULT_MAX_PACKET_SIZE, 256, 65_535, 1_000, 1_024, 65_535, true, 32, 2, true, true, true,
            1_000, QueueOverflowPolicy.DROP_OLDEST, false, MQTT_MAX_SESSION_EXPIRY, 0, 10, 65_536,
            10_000, ClientIdOwnership.STRICT);

    /** Limits without a byte bound of each session's queue. */
    public MqttLimits(int maxPacketSize, int maxClientIdLength, int maxTopicLength, int maxTopicLevels,
                      int receiveMaximum, int maxKeepAliveSeconds, boolean allowZeroKeepAlive, int topicAliasMaximum,
                      int maxQos, boolean retainAvailable, boolean wildcardSubscriptions, boolean sharedSubscriptions,
                      int maxQueuedMessages, QueueOverflowPolicy queueOverflow, boolean queueQos0Offline,
                      long maxSessionExpirySeconds, long maxMessageExpirySeconds, int connectTimeoutSeconds,
                      int maxConnectPacketSize, int maxSubscriptionsPerClient, ClientIdOwnership clientIdOwnership) {
        this(maxPacketSize, maxClientIdLength, maxTopicLength, maxTopicLevels, receiveMaximum, maxKeepAliveSeconds,
                allowZeroKeepAlive, topicAliasMaximum, maxQos, retainAvailable, wildcardSubscriptions,
                sharedSubscriptions, maxQueuedMessages, queueOverflow, queueQos0Offline, maxSessionExpirySeconds,
                maxMessageExpirySeconds, connectTimeoutSeconds, maxConnectPacketSize, maxSubscriptionsPerClient,
                clientIdOwnership, 0);
    }

    public MqttLimits {
        range("max-packet-size", maxPacketSize, 1, MQTT_MAX_PACKET_SIZE);
        range("max-client-id-length", maxClientIdLength, 23, 65_535);
        range("max-topic-length", maxTopicLength, 1, 65_535);
        range("max-topic-levels", maxTopicLevels, 1, 65_535);
        range("receive-maximum", receiveMaximum, 1, 65_535);
        range("max-keep-alive", maxKeepAliveSeconds, 1, 65_535);
        range("topic-alias-maximum", topicAliasMaximum, 0, 65_535);
        range("max-qos", maxQos, 0, 2);
        range("max-queued-messages", maxQueuedMessages, 1, Integer.MAX_VALUE);
        range("max-session-expiry", maxSessionExpirySeconds, 0, MQTT_MAX_SESSION_EXPIRY);
        range("max-message-expiry", maxMessageExpirySeconds, 0, MQTT_MAX_SESSION_EXPIRY);
        range("connect-timeout", connectTimeoutSeconds, 1, 3_600);
        range("max-connect-packet-size", maxConnectPacketSize, 1, MQTT_MAX_PACKET_SIZE);
        range("max-subscriptions-per-client", maxSubscriptionsPerClient, 0, Integer.MAX_VALUE);
        range("max-queued-bytes", maxQueuedBytes, 0, Long.MAX_VALUE);
        if (queueOverflow == null) {
            throw new IllegalArgumentException("queue-overflow: must be one of drop-oldest, drop-newest, disconnect");
        }
        if (clientIdOwnership == null) {
            throw new IllegalArgumentException("client-id-ownership: must be one of strict, takeover");
        }
    }

    /** The limit in force before authentication: the smaller of the two packet sizes. */
    public int connectPacketLimit() {
        return Math.min(maxConnectPacketSize, maxPacketSize);
    }

    /** The slow-consumer policy of a session whose listener, role and user set none of their own. */
    public QueueLimits queueLimits() {
        return new QueueLimits(maxQueuedMessages, maxQueuedBytes, queueOverflow);
    }

    private static void range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + ": must be between " + min + " and " + max + " (was " + value + ")");
        }
    }
}
