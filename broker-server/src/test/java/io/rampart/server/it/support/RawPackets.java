package io.rampart.server.it.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Byte-level MQTT 3.1.1 (protocol level 4) and MQTT 5 (level 5) packet builders for the raw test client,
 * plus the primitive encodings (§1.5): two-byte big-endian integers, variable byte integers and
 * length-prefixed UTF-8 strings. Every builder returns the complete packet including the fixed header;
 * {@link #packet(int, byte[]...)} and {@link #withRemainingLength(int, byte[], byte[])} build anything else,
 * including deliberately malformed packets.
 */
public final class RawPackets {

    /** MQTT 3.1 (protocol name {@code MQIsdp}). */
    public static final int V3_1 = 3;
    public static final int V3_1_1 = 4;
    public static final int V5 = 5;

    private RawPackets() {
    }

    // ------------------------------------------------------------------ CONNECT

    /** CONNECT with clean start, keep alive 60 s, no properties. */
    public static byte[] connect(int version, String clientId) {
        return connect(version).clientId(clientId).build();
    }

    public static ConnectBuilder connect(int version) {
        return new ConnectBuilder(version);
    }

    /**
     * Builds a CONNECT (§3.1); defaults: empty client id, clean start, keep alive 60 s, no will, no credentials,
     * protocol name {@code MQTT} (for level 3, MQTT 3.1: {@code MQIsdp}).
     */
    public static final class ConnectBuilder {
        private int version;
        private String protocolName;
        private byte[] clientId = utf8("");
        private boolean cleanStart = true;
        private int keepAlive = 60;
        private byte[] properties = RawProperties.none();
        private String willTopic;
        private byte[] willPayload;
        private int willQos;
        private boolean willRetain;
        private byte[] willProperties = RawProperties.none();
        private String userName;
        private byte[] password;

        private ConnectBuilder(int version) {
            this.version = version;
            this.protocolName = version == V3_1 ? "MQIsdp" : "MQTT";
        }

        /** Overrides protocol name and level, e.g. to send an unsupported combination. */
        public ConnectBuilder protocol(String name, int protocolLevel) {
            this.protocolName = name;
            this.version = protocolLevel;
            return this;
        }

        public ConnectBuilder clientId(String id) {
            this.clientId = utf8(id);
            return this;
        }

        /** A client identifier given as raw string bytes (for invalid UTF-8). */
        public ConnectBuilder clientIdBytes(byte[] raw) {
            this.clientId = lengthPrefixed(raw);
            return this;
        }

        public ConnectBuilder cleanStart(boolean clean) {
            this.cleanStart = clean;
            return this;
        }

        public ConnectBuilder keepAlive(int seconds) {
            this.keepAlive = seconds;
            return this;
        }

        /** MQTT 5 only: the CONNECT property block (see {@link RawProperties#builder()}). */
        public ConnectBuilder properties(byte[] block) {
            this.properties = block;
            return this;
        }

        /** MQTT 5 only: a property block with just the Session Expiry Interval. */
        public ConnectBuilder sessionExpiry(long seconds) {
            return properties(RawProperties.builder().add(RawProperties.SESSION_EXPIRY_INTERVAL, seconds).build());
        }

        public ConnectBuilder will(String topic, byte[] payload, int qos, boolean retain) {
            this.willTopic = topic;
            this.willPayload = payload;
            this.willQos = qos;
            this.willRetain = retain;
            return this;
        }

        /** MQTT 5 only: the will property block. */
        public ConnectBuilder willProperties(byte[] block) {
            this.willProperties = block;
            return this;
        }

        public ConnectBuilder credentials(String user, byte[] pass) {
            this.userName = user;
            this.password = pass;
            return this;
        }

        public byte[] build() {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(utf8(protocolName));
            body.write(version);
            int flags = cleanStart ? 0x02 : 0;
            if (willTopic != null) {
                flags |= 0x04 | (willQos << 3) | (willRetain ? 0x20 : 0);
            }
            if (password != null) {
                flags |= 0x40;
            }
            if (userName != null) {
                flags |= 0x80;
            }
            body.write(flags);
            writeShort(body, keepAlive);
            if (version == V5) {
                body.writeBytes(properties);
            }
            body.writeBytes(clientId);
            if (willTopic != null) {
                if (version == V5) {
                    body.writeBytes(willProperties);
                }
                body.writeBytes(utf8(willTopic));
                body.writeBytes(lengthPrefixed(willPayload));
            }
            if (userName != null) {
                body.writeBytes(utf8(userName));
            }
            if (password != null) {
                body.writeBytes(lengthPrefixed(password));
            }
            return packet(0x10, body.toByteArray());
        }
    }

    // ------------------------------------------------------------------ PUBLISH

    /** PUBLISH without properties; {@code packetId} is ignored for QoS 0. */
    public static byte[] publish(int version, String topic, int qos, int packetId, byte[] payload) {
        return publish(version, utf8(topic), qos << 1, packetId, RawProperties.none(), payload);
    }

    /**
     * PUBLISH from parts, for unusual and malformed variants.
     *
     * @param topicField the complete topic name field including its two-byte length (see {@link #lengthPrefixed})
     * @param flags      the low four bits of the fixed header (DUP, QoS, RETAIN)
     * @param properties MQTT 5 property block (ignored for 3.1.1)
     */
    public static byte[] publish(int version, byte[] topicField, int flags, int packetId, byte[] properties,
                                 byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(topicField);
        if (((flags >> 1) & 0x03) > 0) {
            writeShort(body, packetId);
        }
        if (version == V5) {
            body.writeBytes(properties);
        }
        body.writeBytes(payload);
        return packet(0x30 | (flags & 0x0F), body.toByteArray());
    }

    // ------------------------------------------------------------------ SUBSCRIBE / UNSUBSCRIBE

    /** SUBSCRIBE with the same options byte (QoS in bits 0-1, for MQTT 5 also NL/RAP/RH) for every filter. */
    public static byte[] subscribe(int version, int packetId, int options, String... filters) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (String f : filters) {
            payload.writeBytes(utf8(f));
            payload.write(options);
        }
        return subscribeWithPayload(version, 0x82, packetId, payload.toByteArray());
    }

    /** SUBSCRIBE with an explicit first byte and payload (to break the reserved flags or the payload). */
    public static byte[] subscribeWithPayload(int version, int firstByte, int packetId, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeShort(body, packetId);
        if (version == V5) {
            body.writeBytes(RawProperties.none());
        }
        body.writeBytes(payload);
        return packet(firstByte, body.toByteArray());
    }

    public static byte[] unsubscribe(int version, int packetId, String... filters) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeShort(body, packetId);
        if (version == V5) {
            body.writeBytes(RawProperties.none());
        }
        for (String f : filters) {
            body.writeBytes(utf8(f));
        }
        return packet(0xA2, body.toByteArray());
    }

    // ------------------------------------------------------------------ acknowledgements and the rest

    public static byte[] puback(int packetId) {
        return packet(0x40, shortBytes(packetId));
    }

    public static byte[] pubrec(int packetId) {
        return packet(0x50, shortBytes(packetId));
    }

    public static byte[] pubrel(int packetId) {
        return packet(0x62, shortBytes(packetId));
    }

    public static byte[] pubcomp(int packetId) {
        return packet(0x70, shortBytes(packetId));
    }

    public static byte[] pingreq() {
        return new byte[]{(byte) 0xC0, 0};
    }

    /** DISCONNECT with reason code 0 (the short form valid for both versions). */
    public static byte[] disconnect() {
        return new byte[]{(byte) 0xE0, 0};
    }

    /** MQTT 5 DISCONNECT with a reason code and no properties. */
    public static byte[] disconnect(int reasonCode) {
        return disconnect(reasonCode, RawProperties.none());
    }

    /** MQTT 5 DISCONNECT with a reason code and a property block (see {@link RawProperties#builder()}). */
    public static byte[] disconnect(int reasonCode, byte[] properties) {
        return packet(0xE0, new byte[]{(byte) reasonCode}, properties);
    }

    // ------------------------------------------------------------------ framing

    /** A packet: first byte, the correct remaining length, then the body parts. */
    public static byte[] packet(int firstByte, byte[]... bodyParts) {
        byte[] body = concat(bodyParts);
        return withRemainingLength(firstByte, varInt(body.length), body);
    }

    /** A packet with an arbitrary remaining-length encoding (for malformed lengths). */
    public static byte[] withRemainingLength(int firstByte, byte[] remainingLength, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        out.writeBytes(remainingLength);
        out.writeBytes(body);
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ primitives

    /** A UTF-8 encoded string with its two-byte length prefix. */
    public static byte[] utf8(String s) {
        return lengthPrefixed(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Raw bytes with a two-byte length prefix (binary data, or a string field with chosen bytes). */
    public static byte[] lengthPrefixed(byte[] raw) {
        byte[] out = new byte[raw.length + 2];
        out[0] = (byte) (raw.length >> 8);
        out[1] = (byte) raw.length;
        System.arraycopy(raw, 0, out, 2, raw.length);
        return out;
    }

    public static byte[] varInt(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarInt(out, value);
        return out.toByteArray();
    }

    static void writeVarInt(ByteArrayOutputStream out, long value) {
        do {
            int digit = (int) (value % 128);
            value /= 128;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }

    static long readVarInt(byte[] b, int[] pos) {
        long value = 0;
        int multiplier = 1;
        for (int i = 0; i < 4; i++) {
            int digit = b[pos[0]++] & 0xFF;
            value += (long) (digit & 0x7F) * multiplier;
            if ((digit & 0x80) == 0) {
                return value;
            }
            multiplier *= 128;
        }
        throw new IllegalArgumentException("variable byte integer longer than 4 bytes");
    }

    static int readUnsignedShort(byte[] b, int[] pos) {
        int v = ((b[pos[0]] & 0xFF) << 8) | (b[pos[0] + 1] & 0xFF);
        pos[0] += 2;
        return v;
    }

    static String readString(byte[] b, int[] pos) {
        int n = readUnsignedShort(b, pos);
        String s = new String(b, pos[0], n, StandardCharsets.UTF_8);
        pos[0] += n;
        return s;
    }

    static byte[] shortBytes(int v) {
        return new byte[]{(byte) (v >> 8), (byte) v};
    }

    private static void writeShort(ByteArrayOutputStream out, int v) {
        out.write((v >> 8) & 0xFF);
        out.write(v & 0xFF);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Hex dump of (at most the first 64) bytes, for messages. */
    public static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 64); i++) {
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return b.length > 64 ? sb + "...(" + b.length + " bytes)" : sb.toString();
    }
}
