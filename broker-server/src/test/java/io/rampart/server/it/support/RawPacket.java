package io.rampart.server.it.support;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One MQTT control packet as read by {@link RawMqttClient}: the packet type, the four flag bits of the
 * fixed header and the body (everything after the remaining length). Accessors decode the fields of the
 * packet types a broker sends, for the protocol version the client connected with.
 */
public record RawPacket(int type, int flags, byte[] body, int version) {

    public static final int CONNECT = 1;
    public static final int CONNACK = 2;
    public static final int PUBLISH = 3;
    public static final int PUBACK = 4;
    public static final int PUBREC = 5;
    public static final int PUBREL = 6;
    public static final int PUBCOMP = 7;
    public static final int SUBSCRIBE = 8;
    public static final int SUBACK = 9;
    public static final int UNSUBSCRIBE = 10;
    public static final int UNSUBACK = 11;
    public static final int PINGREQ = 12;
    public static final int PINGRESP = 13;
    public static final int DISCONNECT = 14;
    public static final int AUTH = 15;

    private static final String[] NAMES = {"RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL",
            "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"};

    public String typeName() {
        return NAMES[type];
    }

    public boolean isV5() {
        return version == RawPackets.V5;
    }

    /**
     * The reason code (MQTT 5) or return code (3.1.1) of CONNACK, DISCONNECT, PUBACK/PUBREC/PUBREL/PUBCOMP
     * and AUTH; 0 where the packet omits it (allowed for success).
     */
    public int reasonCode() {
        return switch (type) {
            case CONNACK -> body[1] & 0xFF;
            case DISCONNECT, AUTH -> body.length == 0 ? 0 : body[0] & 0xFF;
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> body.length > 2 ? body[2] & 0xFF : 0;
            default -> throw new IllegalStateException(typeName() + " has no single reason code");
        };
    }

    /** CONNACK: the session present flag. */
    public boolean sessionPresent() {
        requireType(CONNACK);
        return (body[0] & 0x01) != 0;
    }

    /** The packet identifier of PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK or a QoS &gt; 0 PUBLISH. */
    public int packetId() {
        if (type == PUBLISH) {
            int[] pos = {0};
            RawPackets.readString(body, pos);
            return RawPackets.readUnsignedShort(body, pos);
        }
        return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
    }

    /** MQTT 5 properties of CONNACK, DISCONNECT, AUTH, SUBACK, UNSUBACK, PUBLISH and the acknowledgements. */
    public RawProperties properties() {
        if (!isV5()) {
            return RawProperties.EMPTY;
        }
        int start = switch (type) {
            case CONNACK -> 2;
            case DISCONNECT, AUTH -> body.length < 2 ? -1 : 1;
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> body.length < 4 ? -1 : 3;
            case SUBACK, UNSUBACK -> 2;
            case PUBLISH -> publishPropertiesOffset();
            default -> throw new IllegalStateException(typeName() + " has no properties");
        };
        if (start < 0 || start >= body.length) {
            return RawProperties.EMPTY;
        }
        return RawProperties.decode(body, start, new int[1]);
    }

    /** The reason string property, or {@code null}. */
    public String reasonString() {
        return properties().string(RawProperties.REASON_STRING);
    }

    /** SUBACK/UNSUBACK (MQTT 5): the reason code per filter; SUBACK 3.1.1: the return codes. */
    public int[] reasonCodes() {
        if (type != SUBACK && type != UNSUBACK) {
            throw new IllegalStateException(typeName() + " has no reason code list");
        }
        int start = 2;
        if (isV5()) {
            int[] end = new int[1];
            RawProperties.decode(body, 2, end);
            start = end[0];
        }
        int[] codes = new int[body.length - start];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = body[start + i] & 0xFF;
        }
        return codes;
    }

    // ------------------------------------------------------------------ PUBLISH

    public int qos() {
        requireType(PUBLISH);
        return (flags >> 1) & 0x03;
    }

    public boolean retain() {
        requireType(PUBLISH);
        return (flags & 0x01) != 0;
    }

    public boolean dup() {
        requireType(PUBLISH);
        return (flags & 0x08) != 0;
    }

    public String topic() {
        requireType(PUBLISH);
        return RawPackets.readString(body, new int[]{0});
    }

    public byte[] payload() {
        requireType(PUBLISH);
        int start = publishPropertiesOffset();
        if (isV5()) {
            int[] end = new int[1];
            RawProperties.decode(body, start, end);
            start = end[0];
        }
        return Arrays.copyOfRange(body, start, body.length);
    }

    public String payloadUtf8() {
        return new String(payload(), StandardCharsets.UTF_8);
    }

    private int publishPropertiesOffset() {
        int[] pos = {0};
        RawPackets.readString(body, pos);
        return pos[0] + (qos() > 0 ? 2 : 0);
    }

    private void requireType(int expected) {
        if (type != expected) {
            throw new IllegalStateException("expected " + NAMES[expected] + " but this is " + this);
        }
    }

    /** The complete packet as it was on the wire. */
    public byte[] encoded() {
        return RawPackets.withRemainingLength((type << 4) | flags, RawPackets.varInt(body.length), body);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawPacket p && p.type == type && p.flags == flags && p.version == version
                && Arrays.equals(p.body, body);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type + flags) + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(typeName());
        try {
            switch (type) {
                case CONNACK -> sb.append(String.format("(rc=0x%02X, sessionPresent=%s, props=%s)", reasonCode(),
                        sessionPresent(), properties()));
                case DISCONNECT -> sb.append(String.format("(rc=0x%02X, props=%s)", reasonCode(), properties()));
                case PUBLISH -> sb.append(String.format("(topic=%s, qos=%d, retain=%s, dup=%s, %d payload bytes)",
                        topic(), qos(), retain(), dup(), payload().length));
                case SUBACK, UNSUBACK -> sb.append("(id=").append(packetId()).append(", codes=")
                        .append(Arrays.toString(Arrays.stream(reasonCodes())
                                .mapToObj(c -> String.format("0x%02X", c)).toArray())).append(')');
                case PUBACK, PUBREC, PUBREL, PUBCOMP -> sb.append(String.format("(id=%d, rc=0x%02X)", packetId(),
                        reasonCode()));
                default -> sb.append("(flags=").append(flags).append(", body=").append(RawPackets.hex(body)).append(')');
            }
        } catch (RuntimeException e) {
            sb.append("(undecodable: ").append(RawPackets.hex(body)).append(')');
        }
        return sb.toString();
    }
}
