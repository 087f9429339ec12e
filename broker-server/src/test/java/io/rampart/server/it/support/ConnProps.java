package io.rampart.server.it.support;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MQTT 5 properties for the raw test client: a writer for the properties it sends and the parsed form of
 * the properties it receives (MQTT 5 §2.2.2).
 */
public final class ConnProps {

    public static final int PAYLOAD_FORMAT = 0x01;
    public static final int MESSAGE_EXPIRY = 0x02;
    public static final int CONTENT_TYPE = 0x03;
    public static final int RESPONSE_TOPIC = 0x08;
    public static final int CORRELATION_DATA = 0x09;
    public static final int SUBSCRIPTION_ID = 0x0B;
    public static final int SESSION_EXPIRY = 0x11;
    public static final int ASSIGNED_CLIENT_ID = 0x12;
    public static final int SERVER_KEEP_ALIVE = 0x13;
    public static final int WILL_DELAY = 0x18;
    public static final int REASON_STRING = 0x1F;
    public static final int RECEIVE_MAXIMUM = 0x21;
    public static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    public static final int TOPIC_ALIAS = 0x23;
    public static final int USER_PROPERTY = 0x26;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<Integer, Object> values = new LinkedHashMap<>();
    private final List<Map.Entry<String, String>> userProperties = new ArrayList<>();

    public static ConnProps create() {
        return new ConnProps();
    }

    public ConnProps byte1(int id, int value) {
        out.write(id);
        out.write(value);
        values.put(id, value);
        return this;
    }

    public ConnProps int2(int id, int value) {
        out.write(id);
        out.write(value >> 8);
        out.write(value);
        values.put(id, value);
        return this;
    }

    public ConnProps int4(int id, long value) {
        out.write(id);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) value).array());
        values.put(id, value);
        return this;
    }

    public ConnProps utf8(int id, String value) {
        out.write(id);
        out.writeBytes(ConnPackets.utf8(value));
        values.put(id, value);
        return this;
    }

    public ConnProps binary(int id, byte[] value) {
        out.write(id);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
        values.put(id, value);
        return this;
    }

    public ConnProps user(String key, String value) {
        out.write(USER_PROPERTY);
        out.writeBytes(ConnPackets.utf8(key));
        out.writeBytes(ConnPackets.utf8(value));
        userProperties.add(Map.entry(key, value));
        return this;
    }

    /** The encoded properties including their variable byte integer length prefix. */
    public byte[] encode() {
        byte[] body = out.toByteArray();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ConnPackets.writeVarInt(all, body.length);
        all.writeBytes(body);
        return all.toByteArray();
    }

    public Object get(int id) {
        return values.get(id);
    }

    public boolean has(int id) {
        return values.containsKey(id);
    }

    public Long int4(int id) {
        return (Long) values.get(id);
    }

    public Integer small(int id) {
        return (Integer) values.get(id);
    }

    public String string(int id) {
        return (String) values.get(id);
    }

    public byte[] bytes(int id) {
        return (byte[]) values.get(id);
    }

    public List<Map.Entry<String, String>> userProperties() {
        return userProperties;
    }

    /** Reads a property block (length prefix first) from {@code buf}. */
    public static ConnProps parse(ByteBuffer buf) {
        ConnProps p = new ConnProps();
        int length = ConnPackets.readVarInt(buf);
        int end = buf.position() + length;
        while (buf.position() < end) {
            int id = ConnPackets.readVarInt(buf);
            switch (id) {
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> p.values.put(id, buf.get() & 0xFF);
                case 0x13, 0x21, 0x22, 0x23 -> p.values.put(id, buf.getShort() & 0xFFFF);
                case 0x02, 0x11, 0x18, 0x27 -> p.values.put(id, buf.getInt() & 0xFFFFFFFFL);
                case 0x0B -> p.values.put(id, ConnPackets.readVarInt(buf));
                case 0x03, 0x08, 0x12, 0x15, 0x1A, 0x1C, 0x1F -> p.values.put(id, ConnPackets.readUtf8(buf));
                case 0x09, 0x16 -> p.values.put(id, ConnPackets.readBinary(buf));
                case 0x26 -> p.userProperties.add(Map.entry(ConnPackets.readUtf8(buf), ConnPackets.readUtf8(buf)));
                default -> throw new IllegalStateException("unknown property id 0x" + Integer.toHexString(id));
            }
        }
        return p;
    }

    @Override
    public String toString() {
        return "props" + values + (userProperties.isEmpty() ? "" : " user=" + userProperties);
    }
}
