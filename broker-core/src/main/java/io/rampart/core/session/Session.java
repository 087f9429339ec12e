package io.rampart.core.session;

import io.rampart.core.QueueOverflowPolicy;
import io.rampart.core.topic.Subscription;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of one MQTT session: subscriptions, the queue of messages waiting to be sent, the outbound
 * inflight window (QoS 1/2 flows with packet identifiers), inbound QoS 2 packet ids awaiting PUBREL and
 * the pending will. All state is guarded by the session's monitor; the router enqueues from any thread
 * and the owning connection drains on its own.
 */
public final class Session {

    private final String clientId;
    private final int maxQueued;
    private final QueueOverflowPolicy overflow;
    private final SessionListener listener;

    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private final LinkedHashMap<Integer, Outgoing> inflight = new LinkedHashMap<>();
    private final Set<Integer> inboundQos2 = new HashSet<>();
    private SessionOutput output;
    private long expiryIntervalSeconds;
    private int nextPacketId = 1;
    private Will will;
    private SessionOwner owner;
    private long generation;
    private boolean ended;

    Session(String clientId, int maxQueued, QueueOverflowPolicy overflow, SessionListener listener) {
        this.clientId = clientId;
        this.maxQueued = maxQueued;
        this.overflow = overflow;
        this.listener = listener;
    }

    public String clientId() {
        return clientId;
    }

    // ---------------------------------------------------------------- connection binding

    /** Binds a new connection; returns the previous one (to be taken over) or {@code null}. */
    synchronized SessionOutput attach(SessionOutput newOutput) {
        SessionOutput previous = output;
        output = newOutput;
        generation++;
        return previous;
    }

    /** Unbinds {@code current} if it is still the bound connection; returns whether it was. */
    synchronized boolean detach(SessionOutput current) {
        if (output != current) {
            return false;
        }
        output = null;
        generation++;
        return true;
    }

    public synchronized boolean isConnected() {
        return output != null;
    }

    /** The connection bound to this session, or {@code null} while it is offline. */
    public synchronized SessionOutput output() {
        return output;
    }

    synchronized long generation() {
        return generation;
    }

    // ---------------------------------------------------------------- session properties

    /** The identity that created or last took over this session, or {@code null} for an anonymous client. */
    public synchronized SessionOwner owner() {
        return owner;
    }

    synchronized void setOwner(SessionOwner newOwner) {
        this.owner = newOwner;
    }

    public synchronized long expiryIntervalSeconds() {
        return expiryIntervalSeconds;
    }

    public synchronized void setExpiryIntervalSeconds(long seconds) {
        this.expiryIntervalSeconds = seconds;
    }

    public synchronized void setWill(Will newWill) {
        this.will = newWill;
    }

    public synchronized Will will() {
        return will;
    }

    synchronized Will takeWill() {
        Will w = will;
        will = null;
        return w;
    }

    synchronized boolean markEnded() {
        if (ended) {
            return false;
        }
        ended = true;
        return true;
    }

    public synchronized boolean isEnded() {
        return ended;
    }

    // ---------------------------------------------------------------- subscriptions

    /**
     * Records a subscription by its full filter; returns the one it replaces or {@code null}. Only through
     * {@link SessionSubscriptions}, which keeps the subscription index in step.
     */
    synchronized Subscription putSubscription(Subscription subscription) {
        return subscriptions.put(subscription.fullFilter(), subscription);
    }

    synchronized Subscription removeSubscription(String fullFilter) {
        return subscriptions.remove(fullFilter);
    }

    public synchronized List<Subscription> subscriptions() {
        return new ArrayList<>(subscriptions.values());
    }

    public synchronized boolean hasSubscription(String fullFilter) {
        return subscriptions.containsKey(fullFilter);
    }

    public synchronized int subscriptionCount() {
        return subscriptions.size();
    }

    // ---------------------------------------------------------------- outbound

    /**
     * Queues a message for delivery. When the session is disconnected, QoS 0 messages are queued only if
     * {@code queueQos0Offline}. A full queue drops per the overflow policy, and the drop is reported.
     *
     * @return whether the message was queued
     */
    public boolean enqueue(Outgoing outgoing, boolean queueQos0Offline) {
        SessionOutput wake;
        Outgoing dropped = null;
        DropReason reason = null;
        synchronized (this) {
            if (ended) {
                dropped = outgoing;
                reason = DropReason.SESSION_ENDED;
                wake = null;
            } else if (output == null && outgoing.qos() == 0 && !queueQos0Offline) {
                dropped = outgoing;
                reason = DropReason.QOS0_OFFLINE;
                wake = null;
            } else {
                if (queue.size() >= maxQueued) {
                    reason = DropReason.QUEUE_FULL;
                    if (overflow == QueueOverflowPolicy.DROP_NEWEST) {
                        dropped = outgoing;
                    } else {
                        dropped = queue.pollFirst();
                        queue.addLast(outgoing);
                    }
                } else {
                    queue.addLast(outgoing);
                }
                wake = output;
            }
        }
        if (dropped != null) {
            listener.messageDropped(clientId, dropped.message(), dropped.qos(), reason);
        }
        if (wake != null && dropped != outgoing) {
            wake.wakeup();
        }
        return dropped != outgoing;
    }

    /**
     * Takes the next message to send, or {@code null}. QoS 0 messages are always sendable; QoS 1/2 only
     * while fewer than {@code window} are in flight, and then receive a packet identifier. Expired
     * messages are dropped (and reported) on the way.
     */
    public Outgoing pollForSend(int window, long nowNanos) {
        while (true) {
            Outgoing next;
            synchronized (this) {
                next = queue.peekFirst();
                if (next == null) {
                    return null;
                }
                if (!next.message().isExpired(nowNanos)) {
                    if (next.qos() == 0) {
                        return queue.pollFirst();
                    }
                    if (inflight.size() >= window) {
                        return null;
                    }
                    queue.pollFirst();
                    next.packetId = allocatePacketId();
                    next.state = Outgoing.AWAITING_ACK;
                    inflight.put(next.packetId, next);
                    return next;
                }
                queue.pollFirst();
            }
            listener.messageDropped(clientId, next.message(), next.qos(), DropReason.EXPIRED);
        }
    }

    /** Marks a polled QoS 1/2 message as written, so a later resend carries DUP. */
    public synchronized void markSent(Outgoing outgoing) {
        outgoing.sent = true;
    }

    /** The messages in flight, in order, for resending after a reconnect. */
    public synchronized List<Outgoing> inflightMessages() {
        return new ArrayList<>(inflight.values());
    }

    public synchronized int inflightCount() {
        return inflight.size();
    }

    public synchronized int queuedCount() {
        return queue.size();
    }

    /** PUBACK for QoS 1. Returns the completed message or {@code null} if the id is unknown. */
    public synchronized Outgoing puback(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || o.qos() != 1) {
            return null;
        }
        inflight.remove(packetId);
        return o;
    }

    /** PUBREC for QoS 2: the message now awaits PUBCOMP. Returns false when the id is unknown. */
    public synchronized boolean pubrec(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || o.qos() != 2) {
            return false;
        }
        o.state = Outgoing.AWAITING_COMPLETE;
        return true;
    }

    /** PUBREC with an error reason code (v5): the flow ends here. */
    public synchronized Outgoing abandon(int packetId) {
        return inflight.remove(packetId);
    }

    /** PUBCOMP for QoS 2. Returns the completed message or {@code null}. */
    public synchronized Outgoing pubcomp(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || o.state != Outgoing.AWAITING_COMPLETE) {
            return null;
        }
        inflight.remove(packetId);
        return o;
    }

    /** Removes a message that could not be sent (e.g. too large for the receiver) from the window. */
    public synchronized void discard(Outgoing outgoing) {
        if (outgoing.packetId != 0) {
            inflight.remove(outgoing.packetId, outgoing);
        }
    }

    private int allocatePacketId() {
        for (int i = 0; i < 65_535; i++) {
            int id = nextPacketId;
            nextPacketId = id == 65_535 ? 1 : id + 1;
            if (!inflight.containsKey(id)) {
                return id;
            }
        }
        throw new IllegalStateException("no free packet identifier for " + clientId);
    }

    /**
     * Removes queued and unacknowledged (not yet PUBREC'd) messages that were delivered through a shared
     * subscription, so they can go to another member of the group.
     */
    synchronized List<Outgoing> takeSharedForRedelivery() {
        List<Outgoing> taken = null;
        for (Iterator<Outgoing> it = queue.iterator(); it.hasNext(); ) {
            Outgoing o = it.next();
            if (o.shareGroup() != null) {
                it.remove();
                (taken == null ? taken = new ArrayList<>() : taken).add(o.copyForRedelivery());
            }
        }
        for (Iterator<Outgoing> it = inflight.values().iterator(); it.hasNext(); ) {
            Outgoing o = it.next();
            if (o.shareGroup() != null && o.state == Outgoing.AWAITING_ACK) {
                it.remove();
                (taken == null ? taken = new ArrayList<>() : taken).add(o.copyForRedelivery());
            }
        }
        return taken == null ? List.of() : taken;
    }

    synchronized List<Outgoing> clearMessages() {
        List<Outgoing> all = new ArrayList<>(queue);
        for (Outgoing o : inflight.values()) {
            if (o.state == Outgoing.AWAITING_ACK) {
                all.add(o);
            }
        }
        queue.clear();
        inflight.clear();
        inboundQos2.clear();
        return all;
    }

    // ---------------------------------------------------------------- inbound QoS 2

    /** Records an inbound QoS 2 packet id; returns false if it is already awaiting PUBREL (a duplicate). */
    public synchronized boolean receiveQos2(int packetId) {
        return inboundQos2.add(packetId);
    }

    public synchronized boolean isAwaitingRelease(int packetId) {
        return inboundQos2.contains(packetId);
    }

    /** PUBREL: forgets the packet id; returns whether it was known. */
    public synchronized boolean release(int packetId) {
        return inboundQos2.remove(packetId);
    }

    public synchronized int inboundQos2Count() {
        return inboundQos2.size();
    }
}
