package io.rampart.core.session;

import io.rampart.core.memory.Footprint;
import io.rampart.core.message.DeliveryTrace;
import io.rampart.core.message.Message;

/**
 * One message on its way to one session: queued, then in flight until acknowledged. The {@link Message}
 * (and so the payload) is shared by every subscriber; only this small envelope is per subscriber.
 * State changes happen under the owning session's lock. While a session holds it, it is one delivery of its message
 * in the memory budget.
 */
public final class Outgoing {

    static final int QUEUED = 0;
    static final int AWAITING_ACK = 1;      // QoS 1 PUBACK or QoS 2 PUBREC
    static final int AWAITING_COMPLETE = 2; // QoS 2 PUBCOMP after PUBREL was sent

    private final Message message;
    private final int qos;
    private final boolean retain;
    private final int[] subscriptionIds;
    private final String shareGroup;
    private final String shareFilter;
    private final int charge;
    private final DeliveryTrace trace;
    int state = QUEUED;
    int packetId;
    boolean sent;
    long seq;

    public Outgoing(Message message, int qos, boolean retain, int[] subscriptionIds, String shareGroup,
                    String shareFilter) {
        this(message, qos, retain, subscriptionIds, shareGroup, shareFilter, null);
    }

    /** @param trace the trace of this delivery (see {@link io.rampart.core.message.MessageTrace}), or {@code null} */
    public Outgoing(Message message, int qos, boolean retain, int[] subscriptionIds, String shareGroup,
                    String shareFilter, DeliveryTrace trace) {
        this.message = message;
        this.qos = qos;
        this.retain = retain;
        this.subscriptionIds = subscriptionIds;
        this.shareGroup = shareGroup;
        this.shareFilter = shareFilter;
        this.charge = Footprint.of(message);
        this.trace = trace;
    }

    public Message message() {
        return message;
    }

    /** QoS of this delivery: the publish QoS capped by the subscription's granted QoS. */
    public int qos() {
        return qos;
    }

    public boolean retain() {
        return retain;
    }

    /** Subscription identifiers to send with the PUBLISH; empty when none. */
    public int[] subscriptionIds() {
        return subscriptionIds;
    }

    /** Share group this delivery was chosen for, or {@code null} for an ordinary subscription. */
    public String shareGroup() {
        return shareGroup;
    }

    public String shareFilter() {
        return shareFilter;
    }

    /** What this delivery holds as its session counts it (its envelope and the message): {@link Footprint#of}. */
    public int charge() {
        return charge;
    }

    /** The trace of this delivery, or {@code null} when it is not traced. */
    public DeliveryTrace trace() {
        return trace;
    }

    /** Packet identifier assigned when the message entered the inflight window (QoS 1/2), else 0. */
    public int packetId() {
        return packetId;
    }

    /** The receiving session's sequence number of this delivery, assigned when it was queued. */
    public long seq() {
        return seq;
    }

    /** The packet identifier of the delivery with sequence number {@code seq}: 1..65535, in turn. */
    static int packetIdFor(long seq) {
        return (int) (seq % 65_535) + 1;
    }

    /** True when this PUBLISH was sent before, so a resend must carry DUP. */
    public boolean isDuplicate() {
        return sent;
    }

    /** True when the PUBLISH was acknowledged with PUBREC and a PUBREL is what must be (re)sent. */
    public boolean isReleasing() {
        return state == AWAITING_COMPLETE;
    }

    Outgoing copyForRedelivery() {
        return new Outgoing(message, qos, retain, subscriptionIds, shareGroup, shareFilter, trace);
    }
}
