package io.rampart.server.protocol;

/** MQTT 5 reason codes used by the broker (spec §2.4). */
final class ReasonCodes {
    static final int SUCCESS = 0x00;
    static final int NORMAL_DISCONNECT = 0x00;
    static final int DISCONNECT_WITH_WILL = 0x04;
    static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    static final int CONTINUE_AUTHENTICATION = 0x18;
    static final int REAUTHENTICATE = 0x19;
    static final int NO_SUBSCRIPTION_EXISTED = 0x11;
    static final int UNSPECIFIED_ERROR = 0x80;
    static final int MALFORMED_PACKET = 0x81;
    static final int PROTOCOL_ERROR = 0x82;
    static final int IMPLEMENTATION_SPECIFIC = 0x83;
    static final int UNSUPPORTED_PROTOCOL_VERSION = 0x84;
    static final int CLIENT_ID_NOT_VALID = 0x85;
    static final int NOT_AUTHORIZED = 0x87;
    static final int SERVER_UNAVAILABLE = 0x88;
    static final int SERVER_SHUTTING_DOWN = 0x8B;
    static final int BAD_AUTHENTICATION_METHOD = 0x8C;
    static final int KEEP_ALIVE_TIMEOUT = 0x8D;
    static final int SESSION_TAKEN_OVER = 0x8E;
    static final int TOPIC_FILTER_INVALID = 0x8F;
    static final int TOPIC_NAME_INVALID = 0x90;
    static final int PACKET_ID_IN_USE = 0x91;
    static final int PACKET_ID_NOT_FOUND = 0x92;
    static final int RECEIVE_MAXIMUM_EXCEEDED = 0x93;
    static final int TOPIC_ALIAS_INVALID = 0x94;
    static final int PACKET_TOO_LARGE = 0x95;
    static final int MESSAGE_RATE_TOO_HIGH = 0x96;
    static final int QUOTA_EXCEEDED = 0x97;
    static final int ADMINISTRATIVE_ACTION = 0x98;
    static final int PAYLOAD_FORMAT_INVALID = 0x99;
    static final int RETAIN_NOT_SUPPORTED = 0x9A;
    static final int QOS_NOT_SUPPORTED = 0x9B;
    static final int USE_ANOTHER_SERVER = 0x9C;
    static final int SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = 0x9E;
    static final int SUBSCRIPTION_IDS_NOT_SUPPORTED = 0xA1;
    static final int WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED = 0xA2;

    // MQTT 3.1/3.1.1 CONNACK return codes
    static final int V3_UNACCEPTABLE_PROTOCOL = 0x01;
    static final int V3_IDENTIFIER_REJECTED = 0x02;
    static final int V3_SERVER_UNAVAILABLE = 0x03;
    static final int V3_NOT_AUTHORIZED = 0x05;
    static final int V3_SUBACK_FAILURE = 0x80;

    private ReasonCodes() {
    }
}
