package io.rampart.cluster.transport;

import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.UserProperty;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An application message on the wire between nodes and in the data grid. Its expiry travels as what is left of it:
 * relative for a message in transit (no clock involved), or as a wall-clock deadline for one that is stored (the
 * nodes' clocks are assumed to agree, as NTP keeps them).
 */
public final class MessageCodec {

    private MessageCodec() {
    }

    /** @param stored expiry as a wall-clock deadline (stored) instead of the milliseconds left (in transit) */
    public static void write(Wire.Out out, Message m, boolean stored) {
        out.writeString(m.topic()).writeByte(m.qos()).writeBoolean(m.retain()).writeBytes(m.payload())
                .writeString(m.publisherId());
        long now = System.nanoTime();
        if (!m.hasExpiry()) {
            out.writeLong(-1);
        } else {
            long leftMillis = Math.max(0, (m.expiryDeadlineNanos() - now) / 1_000_000);
            out.writeLong(stored ? System.currentTimeMillis() + leftMillis : leftMillis);
        }
        writeProperties(out, m.properties());
    }

    public static void writeProperties(Wire.Out out, MessageProperties p) {
        MessageProperties props = p == null ? MessageProperties.NONE : p;
        out.writeInt(props.payloadFormatIndicator() == null ? -1 : props.payloadFormatIndicator());
        out.writeString(props.contentType()).writeString(props.responseTopic()).writeBytes(props.correlationData());
        out.writeInt(props.userProperties().size());
        for (UserProperty u : props.userProperties()) {
            out.writeString(u.name()).writeString(u.value());
        }
    }

    public static MessageProperties readProperties(Wire.In in) throws IOException {
        int format = in.readInt();
        String contentType = in.readString();
        String responseTopic = in.readString();
        byte[] correlation = in.readBytes();
        int users = in.readInt();
        if (users < 0 || users > 65_535) {
            throw new IOException("malformed message properties");
        }
        List<UserProperty> userProperties = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            userProperties.add(new UserProperty(in.readString(), in.readString()));
        }
        if (format < 0 && contentType == null && responseTopic == null && correlation == null && users == 0) {
            return MessageProperties.NONE;
        }
        return new MessageProperties(format < 0 ? null : format, contentType, responseTopic, correlation,
                userProperties);
    }

    public static Message read(Wire.In in, boolean stored) throws IOException {
        String topic = in.readString();
        int qos = in.readByte();
        boolean retain = in.readBoolean();
        byte[] payload = in.readBytes();
        String publisher = in.readString();
        long expiry = in.readLong();
        MessageProperties properties = readProperties(in);
        if (topic == null || payload == null || qos > 2) {
            throw new IOException("malformed message");
        }
        long deadline = Message.NO_EXPIRY;
        if (expiry >= 0) {
            long leftMillis = stored ? expiry - System.currentTimeMillis() : expiry;
            deadline = System.nanoTime() + Math.max(0, leftMillis) * 1_000_000L;
        }
        return new Message(topic, qos, retain, payload, properties, publisher, deadline);
    }
}
