package io.rampart.cluster.session;

import io.rampart.cluster.transport.MessageCodec;
import io.rampart.cluster.transport.Wire;
import io.rampart.core.cluster.QueuedMessage;
import io.rampart.core.cluster.SessionSnapshot;
import io.rampart.core.session.Outgoing;
import io.rampart.core.session.Session;
import io.rampart.core.session.SessionOwner;
import io.rampart.core.session.Will;
import io.rampart.core.topic.Subscription;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte layout of sessions in the data grid and between nodes: the session record (everything but its messages),
 * the cursor of its queued messages, one queued message, and a whole snapshot (record, messages, QoS 2 state) for a
 * session that moves.
 */
public final class SessionCodec {

    private static final int VERSION = 1;

    private SessionCodec() {
    }

    /** The record part of a session, without messages. */
    public record Record(String clientId, long expiry, SessionOwner owner, Will will, List<Subscription> subscriptions,
                         boolean connected, long disconnectedAtMillis) {
    }

    public static byte[] record(Session s) {
        Wire.Out out = new Wire.Out(256).writeByte(VERSION);
        writeRecord(out, s.clientId(), s.expiryIntervalSeconds(), s.owner(), s.will(), s.subscriptions(),
                s.isConnected(), s.disconnectedAtMillis());
        return out.toByteArray();
    }

    public static Record record(byte[] data) throws IOException {
        Wire.In in = new Wire.In(data);
        version(in);
        return readRecord(in);
    }

    public static byte[] cursor(long firstLive, long nextSeq) {
        return new Wire.Out(17).writeByte(VERSION).writeLong(firstLive).writeLong(nextSeq).toByteArray();
    }

    /** {@code [firstLive, nextSeq]}. */
    public static long[] cursor(byte[] data) throws IOException {
        Wire.In in = new Wire.In(data);
        version(in);
        return new long[]{in.readLong(), in.readLong()};
    }

    public static byte[] message(Outgoing o) {
        return message(o, o.seq(), o.isReleasing() ? QueuedMessage.Stage.RELEASING : QueuedMessage.Stage.QUEUED);
    }

    /** A queued message with its sequence number and stage given (a sent message is journaled as queued). */
    public static byte[] message(Outgoing o, long seq, QueuedMessage.Stage stage) {
        Wire.Out out = new Wire.Out(128 + o.message().payload().length).writeByte(VERSION);
        writeQueued(out, seq, o.qos(), o.retain(), o.subscriptionIds(), o.shareGroup(), o.shareFilter(),
                stage == QueuedMessage.Stage.SENT ? QueuedMessage.Stage.QUEUED : stage);
        MessageCodec.write(out, o.message(), true);
        return out.toByteArray();
    }

    public static QueuedMessage message(byte[] data) throws IOException {
        Wire.In in = new Wire.In(data);
        version(in);
        return readQueued(in, true);
    }

    /** A whole session, for a node that takes it over. */
    public static byte[] snapshot(SessionSnapshot s) {
        Wire.Out out = new Wire.Out(512).writeByte(VERSION);
        writeRecord(out, s.clientId(), s.expiryIntervalSeconds(), s.owner(), s.will(), s.subscriptions(),
                s.connected(), s.disconnectedAtMillis());
        out.writeLong(s.nextSeq()).writeInt(s.inboundQos2().size());
        for (int id : s.inboundQos2()) {
            out.writeInt(id);
        }
        out.writeInt(s.messages().size());
        for (QueuedMessage m : s.messages()) {
            writeQueued(out, m.seq(), m.qos(), m.retain(), m.subscriptionIds(), m.shareGroup(), m.shareFilter(),
                    m.stage());
            MessageCodec.write(out, m.message(), false);
        }
        return out.toByteArray();
    }

    public static SessionSnapshot snapshot(Wire.In in) throws IOException {
        version(in);
        Record r = readRecord(in);
        long nextSeq = in.readLong();
        int qos2 = in.readInt();
        List<Integer> inbound = new ArrayList<>(Math.max(0, Math.min(qos2, 65_535)));
        for (int i = 0; i < qos2; i++) {
            inbound.add(in.readInt());
        }
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("malformed session");
        }
        List<QueuedMessage> messages = new ArrayList<>(Math.min(n, 100_000));
        for (int i = 0; i < n; i++) {
            messages.add(readQueued(in, false));
        }
        return new SessionSnapshot(r.clientId(), r.expiry(), r.owner(), r.will(), r.subscriptions(), messages, inbound,
                nextSeq, r.connected(), r.disconnectedAtMillis());
    }

    private static void writeRecord(Wire.Out out, String clientId, long expiry, SessionOwner owner, Will will,
                                    List<Subscription> subscriptions, boolean connected, long disconnectedAt) {
        out.writeString(clientId).writeLong(expiry);
        out.writeBoolean(owner != null);
        if (owner != null) {
            out.writeString(owner.authority()).writeString(owner.name());
        }
        out.writeBoolean(will != null);
        if (will != null) {
            out.writeString(will.topic()).writeByte(will.qos()).writeBoolean(will.retain()).writeBytes(will.payload());
            MessageCodec.writeProperties(out, will.properties());
            out.writeLong(will.messageExpirySeconds()).writeLong(will.delaySeconds());
        }
        out.writeInt(subscriptions.size());
        for (Subscription s : subscriptions) {
            out.writeString(s.filter()).writeString(s.shareGroup()).writeByte(s.qos()).writeBoolean(s.noLocal())
                    .writeBoolean(s.retainAsPublished()).writeByte(s.retainHandling()).writeInt(s.subscriptionId());
        }
        out.writeBoolean(connected).writeLong(disconnectedAt);
    }

    private static Record readRecord(Wire.In in) throws IOException {
        String clientId = in.readString();
        long expiry = in.readLong();
        SessionOwner owner = in.readBoolean() ? new SessionOwner(in.readString(), in.readString()) : null;
        Will will = null;
        if (in.readBoolean()) {
            String topic = in.readString();
            int qos = in.readByte();
            boolean retain = in.readBoolean();
            byte[] payload = in.readBytes();
            will = new Will(topic, qos, retain, payload == null ? new byte[0] : payload, MessageCodec.readProperties(in),
                    in.readLong(), in.readLong());
        }
        int n = in.readInt();
        if (clientId == null || n < 0) {
            throw new IOException("malformed session record");
        }
        List<Subscription> subscriptions = new ArrayList<>(Math.min(n, 10_000));
        for (int i = 0; i < n; i++) {
            subscriptions.add(new Subscription(clientId, in.readString(), in.readString(), in.readByte(),
                    in.readBoolean(), in.readBoolean(), in.readByte(), in.readInt()));
        }
        return new Record(clientId, expiry, owner, will, subscriptions, in.readBoolean(), in.readLong());
    }

    private static void writeQueued(Wire.Out out, long seq, int qos, boolean retain, int[] ids, String group,
                                    String filter, QueuedMessage.Stage stage) {
        out.writeLong(seq).writeByte(qos).writeBoolean(retain).writeInt(ids.length);
        for (int id : ids) {
            out.writeInt(id);
        }
        out.writeString(group).writeString(filter).writeByte(stage.ordinal());
    }

    private static QueuedMessage readQueued(Wire.In in, boolean stored) throws IOException {
        long seq = in.readLong();
        int qos = in.readByte();
        boolean retain = in.readBoolean();
        int n = in.readInt();
        if (n < 0 || n > 65_535) {
            throw new IOException("malformed queued message");
        }
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = in.readInt();
        }
        String group = in.readString();
        String filter = in.readString();
        int stage = in.readByte();
        if (stage >= QueuedMessage.Stage.values().length) {
            throw new IOException("malformed queued message");
        }
        return new QueuedMessage(seq, MessageCodec.read(in, stored), qos, retain, ids, group, filter,
                QueuedMessage.Stage.values()[stage]);
    }

    private static void version(Wire.In in) throws IOException {
        int v = in.readByte();
        if (v != VERSION) {
            throw new IOException("session data of version " + v + " (this node reads " + VERSION + ")");
        }
    }
}
