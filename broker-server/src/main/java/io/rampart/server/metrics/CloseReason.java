package io.rampart.server.metrics;

/** Why a network connection ended: the {@code reason} tag of {@code rampart.connections.closed}. */
public enum CloseReason {
    /** The client sent DISCONNECT. */
    CLIENT_DISCONNECT("client-disconnect"),
    /** Nothing heard from the client within 1.5 times its keep alive. */
    KEEP_ALIVE_TIMEOUT("keep-alive-timeout"),
    /** Malformed packet or a protocol rule broken (including an invalid CONNECT). */
    PROTOCOL_ERROR("protocol-error"),
    /** Another connection took over the session (same client id). */
    TAKEOVER("takeover"),
    /** The broker is shutting down. */
    SERVER_SHUTDOWN("server-shutdown"),
    /** CONNECT refused by the security pipeline (credentials, permissions, realm unavailable, will denied). */
    AUTH_FAILURE("auth-failure"),
    /** Disconnected for an action it may not do, or after losing its permissions. */
    NOT_AUTHORIZED("not-authorized"),
    /** Over its publish rate limits for longer than its {@code disconnect-after} (MQTT 5: 0x96 Message rate too high). */
    MESSAGE_RATE_TOO_HIGH("message-rate-too-high"),
    /** No CONNECT within the connect timeout. */
    CONNECT_TIMEOUT("connect-timeout"),
    /** The network connection dropped (peer closed it, I/O error) without DISCONNECT. */
    CONNECTION_LOST("connection-lost"),
    /** An operator disconnected it through the admin API (or banned it). */
    ADMINISTRATIVE_ACTION("administrative-action"),
    /** Sent to another node of the cluster (this node leaves, or is cut off from most of the others). */
    USE_ANOTHER_SERVER("use-another-server"),
    /** A QoS 1/2 message of the client could not be handed to the cluster's nodes; the client sends it again. */
    HANDOFF_FAILED("handoff-failed"),
    /** Its session's queue was full and the slow-consumer policy is {@code disconnect} (MQTT 5: 0x97). */
    SLOW_CONSUMER("slow-consumer");

    private final String tag;

    CloseReason(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }

    /** The close reason of a broker-initiated disconnect with this MQTT 5 reason code. */
    public static CloseReason ofReasonCode(int code) {
        return switch (code) {
            case 0x8D -> KEEP_ALIVE_TIMEOUT;
            case 0x8E -> TAKEOVER;
            case 0x8B -> SERVER_SHUTDOWN;
            case 0x87 -> NOT_AUTHORIZED;
            case 0x96 -> MESSAGE_RATE_TOO_HIGH;
            case 0x98 -> ADMINISTRATIVE_ACTION;
            case 0x9C -> USE_ANOTHER_SERVER;
            default -> PROTOCOL_ERROR;
        };
    }
}
