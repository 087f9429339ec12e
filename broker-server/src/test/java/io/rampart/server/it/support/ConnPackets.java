package io.rampart.server.it.support;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Byte-level MQTT packets for the raw test client ({@link ConnRawClient}): encoders for what a client
 * sends, including packets no client library would produce, and decoders for what the broker answers.
 * {@code version} is the protocol level: 3 (MQTT 3.1), 4 (3.1.1) or 5.
 */
public final class ConnPackets {

    public static final int CONNECT = 1;
    public static final int CONNACK = 2;
    public static final int PUBLISH = 3;
    public static final int PUBACK = 4;
    public static final int PUBREC = 5;
    public static final int PUBREL = 6;
    public static final int PUBCOMP = 7;
    public static final int SUBSCRIBE = 8;
    public static final int SUBACK = 9;
    public static final int PINGREQ = 12;
    public static final int PINGRESP = 13;
    public static final int DISCONNECT = 14;

    private ConnPackets() {
    }

    // ------------------------------------------------------------------ CONNECT

    /** Will message of a raw CONNECT; {@code properties} only for MQTT 5 (may be null). */
    public record Will(String topic, byte[] payload, int qos, boolean retain, ConnProps properties) {
    }

    /** A CONNECT packet; build with {@link #v5}, {@link #v311} or {@link #v31}. */
    public static final class Connect {
        private String protocolName;
        private int level;
        private final String clientId;
        private boolean clean = true;
        private int keepAlive = 60;
        private ConnProps properties;
        private Will will;

        private Connect(int level, String protocolName, String clientId) {
            this.level = level;
            this.protocolName = protocolName;
            this.clientId = clientId;
        }

        public static Connect v5(String clientId) {
            return new Connect(5, "MQTT", clientId);
        }

        public static Connect v311(String clientId) {
            return new Connect(4, "MQTT", clientId);
        }

        public static Connect v31(String clientId) {
            return new Connect(3, "MQIsdp", clientId);
        }

        public static Connect of(int version, String clientId) {
            return version == 5 ? v5(clientId) : version == 4 ? v311(clientId) : v31(clientId);
        }

        /** Overrides protocol name and level, e.g. to send an unsupported combination. */
        public Connect protocol(String name, int protocolLevel) {
            this.protocolName = name;
            this.level = protocolLevel;
            return this;
        }

        public Connect clean(boolean cleanStart) {
            this.clean = cleanStart;
            return this;
        }

        public Connect keepAlive(int seconds) {
            this.keepAlive = seconds;
            return this;
        }

        /** MQTT 5 CONNECT properties. */
        public Connect properties(ConnProps props) {
            this.properties = props;
            return this;
        }

        /** Shortcut for the MQTT 5 Session Expiry Interval property. */
        public Connect sessionExpiry(long seconds) {
            this.properties = (properties == null ? ConnProps.create() : properties)
                    .int4(ConnProps.SESSION_EXPIRY, seconds);
            return this;
        }

        public Connect will(Will w) {
            this.will = w;
            return this;
        }

        public int version() {
            return level;
        }

        public byte[] encode() {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(utf8(protocolName));
            body.write(level);
            int flags = clean ? 0x02 : 0;
            if (will != null) {
                flags |= 0x04 | (will.qos() << 3) | (will.retain() ? 0x20 : 0);
            }
            body.write(flags);
            body.write(keepAlive >> 8);
            body.write(keepAlive);
            if (level == 5) {
                body.writeBytes((properties == null ? ConnProps.create() : properties).encode());
            }
            body.writeBytes(utf8(clientId));
            if (will != null) {
                if (level == 5) {
                    body.writeBytes((will.properties() == null ? ConnProps.create() : will.properties()).encode());
                }
                body.writeBytes(utf8(will.topic()));
                body.write(will.payload().length >> 8);
                body.write(will.payload().length);
                body.writeBytes(will.payload());
            }
            return packet(CONNECT << 4, body.toByteArray());
        }
    }

    // ------------------------------------------------------------------ other client packets

    public static byte[] subscribe(int version, int packetId, String filter, int qos) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >> 8);
        body.write(packetId);
        if (version == 5) {
            body.write(0);
        }
        body.writeBytes(utf8(filter));
        body.write(qos);
        return packet((SUBSCRIBE << 4) | 0x02, body.toByteArray());
    }

    public static byte[] publish(int version, String topic, int qos, boolean retain, boolean dup, int packetId,
                                 byte[] payload, ConnProps props) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(utf8(topic));
        if (qos > 0) {
            body.write(packetId >> 8);
            body.write(packetId);
        }
        if (version == 5) {
            body.writeBytes((props == null ? ConnProps.create() : props).encode());
        }
        body.writeBytes(payload);
        int first = (PUBLISH << 4) | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 1 : 0);
        return packet(first, body.toByteArray());
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP with success (no reason code on the wire). */
    public static byte[] ack(int type, int packetId) {
        int first = (type << 4) | (type == PUBREL ? 0x02 : 0);
        return packet(first, new byte[]{(byte) (packetId >> 8), (byte) packetId});
    }

    public static byte[] pingreq() {
        return new byte[]{(byte) (PINGREQ << 4), 0};
    }

    /** DISCONNECT; for MQTT 5 with a reason code and optional properties. */
    public static byte[] disconnect(int version, int reasonCode, ConnProps props) {
        if (version != 5) {
            return new byte[]{(byte) (DISCONNECT << 4), 0};
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(reasonCode);
        body.writeBytes((props == null ? ConnProps.create() : props).encode());
        return packet(DISCONNECT << 4, body.toByteArray());
    }

    // ------------------------------------------------------------------ received packets

    /** One packet read from the broker: the first byte split into type and flags, and the rest. */
    public record Packet(int type, int flags, byte[] body) {

        public ByteBuffer buffer() {
            return ByteBuffer.wrap(body);
        }

        public int packetId() {
            return buffer().getShort() & 0xFFFF;
        }

        /** CONNACK: return code (3.x) or reason code (5). */
        public int connackCode() {
            return body[1] & 0xFF;
        }

        public boolean sessionPresent() {
            return (body[0] & 1) == 1;
        }

        /** CONNACK properties (MQTT 5 only; empty for 3.x). */
        public ConnProps connackProperties() {
            ByteBuffer b = buffer();
            b.position(2);
            return b.hasRemaining() ? ConnProps.parse(b) : ConnProps.create();
        }

        /** DISCONNECT reason code (MQTT 5; 0x00 when omitted). */
        public int disconnectReason() {
            return body.length == 0 ? 0 : body[0] & 0xFF;
        }

        public Publish publish(int version) {
            ByteBuffer b = buffer();
            String topic = readUtf8(b);
            int qos = (flags >> 1) & 3;
            int id = qos > 0 ? b.getShort() & 0xFFFF : 0;
            ConnProps props = version == 5 ? ConnProps.parse(b) : ConnProps.create();
            byte[] payload = new byte[b.remaining()];
            b.get(payload);
            return new Publish(topic, qos, (flags & 0x08) != 0, (flags & 1) != 0, id, payload, props);
        }

        @Override
        public String toString() {
            return "Packet[type=" + type + ", flags=" + flags + ", length=" + body.length + "]";
        }
    }

    public record Publish(String topic, int qos, boolean dup, boolean retain, int packetId, byte[] payload,
                          ConnProps properties) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------ primitives

    static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        writeVarInt(out, body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    public static byte[] utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 2];
        out[0] = (byte) (b.length >> 8);
        out[1] = (byte) b.length;
        System.arraycopy(b, 0, out, 2, b.length);
        return out;
    }

    static void writeVarInt(ByteArrayOutputStream out, int value) {
        do {
            int digit = value % 128;
            value /= 128;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }

    static int readVarInt(ByteBuffer buf) {
        int value = 0;
        int shift = 0;
        int b;
        do {
            b = buf.get() & 0xFF;
            value |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return value;
    }

    static String readUtf8(ByteBuffer buf) {
        return new String(readBinary(buf), StandardCharsets.UTF_8);
    }

    static byte[] readBinary(ByteBuffer buf) {
        int len = buf.getShort() & 0xFFFF;
        byte[] b = new byte[len];
        buf.get(b);
        return b;
    }
}
