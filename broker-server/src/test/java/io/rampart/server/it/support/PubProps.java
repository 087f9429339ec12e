package io.rampart.server.it.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** MQTT 5 properties written in the order they are added, for {@link PubRawClient}. */
public final class PubProps {

    public static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
    public static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
    public static final int CONTENT_TYPE = 0x03;
    public static final int RESPONSE_TOPIC = 0x08;
    public static final int CORRELATION_DATA = 0x09;
    public static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
    public static final int SESSION_EXPIRY_INTERVAL = 0x11;
    public static final int RECEIVE_MAXIMUM = 0x21;
    public static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    public static final int TOPIC_ALIAS = 0x23;
    public static final int MAXIMUM_QOS = 0x24;
    public static final int RETAIN_AVAILABLE = 0x25;
    public static final int USER_PROPERTY = 0x26;
    public static final int MAXIMUM_PACKET_SIZE = 0x27;
    public static final int WILDCARD_SUBSCRIPTION_AVAILABLE = 0x28;
    public static final int SHARED_SUBSCRIPTION_AVAILABLE = 0x2A;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PubProps byteProp(int id, int value) {
        out.write(id);
        out.write(value);
        return this;
    }

    public PubProps twoByte(int id, int value) {
        out.write(id);
        out.write(value >> 8);
        out.write(value);
        return this;
    }

    public PubProps fourByte(int id, long value) {
        out.write(id);
        out.write((int) (value >> 24));
        out.write((int) (value >> 16));
        out.write((int) (value >> 8));
        out.write((int) value);
        return this;
    }

    public PubProps varInt(int id, int value) {
        out.write(id);
        PubRawClient.writeVarInt(out, value);
        return this;
    }

    public PubProps string(int id, String value) {
        out.write(id);
        writeString(value);
        return this;
    }

    public PubProps binary(int id, byte[] value) {
        out.write(id);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
        return this;
    }

    public PubProps userProperty(String name, String value) {
        out.write(USER_PROPERTY);
        writeString(name);
        writeString(value);
        return this;
    }

    private void writeString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length);
        out.writeBytes(bytes);
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
