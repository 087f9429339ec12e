package io.rampart.server.it.support;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MQTT 5 properties (spec §2.2.2) for the raw client: an encoder ({@link #builder()}) and a decoded view
 * ({@link #decode}). Integer-typed properties decode to {@link Long} (four-byte integers are unsigned),
 * strings to {@link String}, binary data to {@code byte[]}; user properties are collected separately.
 */
public final class RawProperties {

    public static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
    public static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
    public static final int CONTENT_TYPE = 0x03;
    public static final int RESPONSE_TOPIC = 0x08;
    public static final int CORRELATION_DATA = 0x09;
    public static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
    public static final int SESSION_EXPIRY_INTERVAL = 0x11;
    public static final int ASSIGNED_CLIENT_IDENTIFIER = 0x12;
    public static final int SERVER_KEEP_ALIVE = 0x13;
    public static final int AUTHENTICATION_METHOD = 0x15;
    public static final int AUTHENTICATION_DATA = 0x16;
    public static final int REQUEST_PROBLEM_INFORMATION = 0x17;
    public static final int WILL_DELAY_INTERVAL = 0x18;
    public static final int REQUEST_RESPONSE_INFORMATION = 0x19;
    public static final int RESPONSE_INFORMATION = 0x1A;
    public static final int SERVER_REFERENCE = 0x1C;
    public static final int REASON_STRING = 0x1F;
    public static final int RECEIVE_MAXIMUM = 0x21;
    public static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    public static final int TOPIC_ALIAS = 0x23;
    public static final int MAXIMUM_QOS = 0x24;
    public static final int RETAIN_AVAILABLE = 0x25;
    public static final int USER_PROPERTY = 0x26;
    public static final int MAXIMUM_PACKET_SIZE = 0x27;
    public static final int WILDCARD_SUBSCRIPTION_AVAILABLE = 0x28;
    public static final int SUBSCRIPTION_IDENTIFIER_AVAILABLE = 0x29;
    public static final int SHARED_SUBSCRIPTION_AVAILABLE = 0x2A;

    public static final RawProperties EMPTY = new RawProperties(Map.of(), List.of());

    private enum Kind { BYTE, TWO_BYTE, FOUR_BYTE, VARINT, STRING, BINARY, STRING_PAIR }

    private final Map<Integer, Object> values;
    private final List<Map.Entry<String, String>> userProperties;

    private RawProperties(Map<Integer, Object> values, List<Map.Entry<String, String>> userProperties) {
        this.values = values;
        this.userProperties = userProperties;
    }

    /** Whether the property was present. */
    public boolean has(int id) {
        return values.containsKey(id);
    }

    /** The value of an integer property, or {@code null} when absent. */
    public Long integer(int id) {
        return (Long) values.get(id);
    }

    /** The value of a string property, or {@code null} when absent. */
    public String string(int id) {
        return (String) values.get(id);
    }

    public byte[] binary(int id) {
        return (byte[]) values.get(id);
    }

    public List<Map.Entry<String, String>> userProperties() {
        return userProperties;
    }

    /** Identifiers of the properties present (user properties excluded), in wire order. */
    public Set<Integer> ids() {
        return values.keySet();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(String.format("0x%02X=", k))
                .append(v instanceof byte[] b ? RawPackets.hex(b) : v));
        userProperties.forEach(e -> sb.append(sb.length() > 1 ? ", " : "").append("user ")
                .append(e.getKey()).append('=').append(e.getValue()));
        return sb.append('}').toString();
    }

    private static Kind kind(int id) {
        return switch (id) {
            case PAYLOAD_FORMAT_INDICATOR, REQUEST_PROBLEM_INFORMATION, REQUEST_RESPONSE_INFORMATION, MAXIMUM_QOS,
                 RETAIN_AVAILABLE, WILDCARD_SUBSCRIPTION_AVAILABLE, SUBSCRIPTION_IDENTIFIER_AVAILABLE,
                 SHARED_SUBSCRIPTION_AVAILABLE -> Kind.BYTE;
            case SERVER_KEEP_ALIVE, RECEIVE_MAXIMUM, TOPIC_ALIAS_MAXIMUM, TOPIC_ALIAS -> Kind.TWO_BYTE;
            case MESSAGE_EXPIRY_INTERVAL, SESSION_EXPIRY_INTERVAL, WILL_DELAY_INTERVAL, MAXIMUM_PACKET_SIZE -> Kind.FOUR_BYTE;
            case SUBSCRIPTION_IDENTIFIER -> Kind.VARINT;
            case CONTENT_TYPE, RESPONSE_TOPIC, ASSIGNED_CLIENT_IDENTIFIER, AUTHENTICATION_METHOD, RESPONSE_INFORMATION,
                 SERVER_REFERENCE, REASON_STRING -> Kind.STRING;
            case CORRELATION_DATA, AUTHENTICATION_DATA -> Kind.BINARY;
            case USER_PROPERTY -> Kind.STRING_PAIR;
            default -> throw new IllegalArgumentException(String.format("unknown property identifier 0x%02X", id));
        };
    }

    /**
     * Decodes a property block (length varint followed by the properties) starting at {@code offset}.
     *
     * @param end receives, in {@code end[0]}, the offset just after the block
     */
    static RawProperties decode(byte[] body, int offset, int[] end) {
        int[] pos = {offset};
        long length = RawPackets.readVarInt(body, pos);
        int stop = pos[0] + (int) length;
        if (stop > body.length) {
            throw new IllegalArgumentException("property length " + length + " beyond the packet");
        }
        Map<Integer, Object> values = new LinkedHashMap<>();
        List<Map.Entry<String, String>> users = new ArrayList<>();
        while (pos[0] < stop) {
            int id = (int) RawPackets.readVarInt(body, pos);
            switch (kind(id)) {
                case BYTE -> values.put(id, (long) (body[pos[0]++] & 0xFF));
                case TWO_BYTE -> values.put(id, (long) RawPackets.readUnsignedShort(body, pos));
                case FOUR_BYTE -> {
                    long v = ((long) (body[pos[0]] & 0xFF) << 24) | ((body[pos[0] + 1] & 0xFF) << 16)
                            | ((body[pos[0] + 2] & 0xFF) << 8) | (body[pos[0] + 3] & 0xFF);
                    pos[0] += 4;
                    values.put(id, v);
                }
                case VARINT -> values.put(id, RawPackets.readVarInt(body, pos));
                case STRING -> values.put(id, RawPackets.readString(body, pos));
                case BINARY -> {
                    int n = RawPackets.readUnsignedShort(body, pos);
                    values.put(id, java.util.Arrays.copyOfRange(body, pos[0], pos[0] + n));
                    pos[0] += n;
                }
                case STRING_PAIR -> users.add(Map.entry(RawPackets.readString(body, pos), RawPackets.readString(body, pos)));
            }
        }
        end[0] = stop;
        return new RawProperties(values, users);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The encoding of an empty property block (a single zero length byte). */
    public static byte[] none() {
        return new byte[]{0};
    }

    /** Encodes properties in the order they are added; {@link #build()} includes the length prefix. */
    public static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** An integer property; the width follows from the identifier. */
        public Builder add(int id, long value) {
            RawPackets.writeVarInt(out, id);
            switch (kind(id)) {
                case BYTE -> out.write((int) value);
                case TWO_BYTE -> {
                    out.write((int) (value >> 8) & 0xFF);
                    out.write((int) value & 0xFF);
                }
                case FOUR_BYTE -> {
                    out.write((int) (value >> 24) & 0xFF);
                    out.write((int) (value >> 16) & 0xFF);
                    out.write((int) (value >> 8) & 0xFF);
                    out.write((int) value & 0xFF);
                }
                case VARINT -> RawPackets.writeVarInt(out, value);
                default -> throw new IllegalArgumentException(String.format("property 0x%02X is not an integer", id));
            }
            return this;
        }

        /** A string property. */
        public Builder add(int id, String value) {
            if (kind(id) != Kind.STRING) {
                throw new IllegalArgumentException(String.format("property 0x%02X is not a string", id));
            }
            RawPackets.writeVarInt(out, id);
            out.writeBytes(RawPackets.utf8(value));
            return this;
        }

        /** A binary data property. */
        public Builder add(int id, byte[] value) {
            if (kind(id) != Kind.BINARY) {
                throw new IllegalArgumentException(String.format("property 0x%02X is not binary data", id));
            }
            RawPackets.writeVarInt(out, id);
            out.writeBytes(RawPackets.lengthPrefixed(value));
            return this;
        }

        public Builder user(String key, String value) {
            RawPackets.writeVarInt(out, USER_PROPERTY);
            out.writeBytes(RawPackets.utf8(key));
            out.writeBytes(RawPackets.utf8(value));
            return this;
        }

        /** The property block: length varint followed by the properties. */
        public byte[] build() {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            RawPackets.writeVarInt(block, out.size());
            block.writeBytes(out.toByteArray());
            return block.toByteArray();
        }
    }
}
