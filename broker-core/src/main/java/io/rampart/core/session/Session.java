package io.rampart.core.session;

import io.rampart.core.QueueLimits;
import io.rampart.core.QueueOverflowPolicy;
import io.rampart.core.cluster.QueuedMessage;
import io.rampart.core.cluster.SessionLog;
import io.rampart.core.cluster.SessionSnapshot;
import io.rampart.core.memory.MemoryBudget;
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
 *
 * <p>Every queued message gets the next number of the session's sequence, and a QoS 1/2 message's packet identifier
 * derives from that number, so a node that carries the session on after another resends it under the same
 * identifier. In a cluster the session's {@link SessionLog} hears of every change, under this monitor.
 *
 * <p>What the queue and the inflight window hold draws from the broker's {@link MemoryBudget}; the queue is bounded by
 * the {@link QueueLimits} of the connection that last bound the session (its slow-consumer policy), counting each of
 * its messages' {@link Outgoing#charge() charge}.
 */
public final class Session {

    /** {@link #offer}: the message was dropped (and the drop reported). */
    public static final int NOT_QUEUED = 0;
    /** {@link #offer}: the message was queued. */
    public static final int QUEUED = 1;
    /** {@link #offer}: the message was queued in a queue that is among the fullest while the memory budget is short. */
    public static final int QUEUED_IN_FULLEST = 2;

    private final String clientId;
    private final MemoryBudget budget;
    private final SessionListener listener;
    private QueueLimits queueLimits;
    /** Budget bytes of the queued messages and of those in flight. */
    private long queuedBytes;
    private long inflightBytes;
    /** The queue reached its bound and has not drained to half since (a slow-consumer episode). */
    private boolean overflowing;

    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    // Sized for an idle session: most sessions never queue, and the deque grows as needed.
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>(1);
    private final LinkedHashMap<Integer, Outgoing> inflight = new LinkedHashMap<>();
    private final Set<Integer> inboundQos2 = new HashSet<>();
    private SessionOutput output;
    private long expiryIntervalSeconds;
    private Will will;
    private SessionOwner owner;
    private long generation;
    private boolean ended;
    private long nextSeq;
    private long disconnectedAtMillis;
    /** The journal in a cluster, else {@code null}; set once, before the session is published. */
    private SessionLog log;

    Session(String clientId, QueueLimits queueLimits, MemoryBudget budget, SessionListener listener) {
        this.clientId = clientId;
        this.queueLimits = queueLimits;
        this.budget = budget;
        this.listener = listener;
    }

    public String clientId() {
        return clientId;
    }

    synchronized void openLog(SessionLog sessionLog) {
        this.log = sessionLog;
    }

    /** Tells the journal (if any) that the session's own state changed. */
    synchronized void logChanged() {
        if (log != null) {
            log.changed();
        }
    }

    /** The journal, or {@code null}: to wait for its writes. */
    synchronized SessionLog log() {
        return log;
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
        disconnectedAtMillis = System.currentTimeMillis();
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
        logChanged();
    }

    /** The slow-consumer policy in force: the one of the connection that last bound the session. */
    public synchronized QueueLimits queueLimits() {
        return queueLimits;
    }

    /** The slow-consumer policy from the next queued message on (the connection's identity limits changed). */
    public synchronized void setQueueLimits(QueueLimits limits) {
        this.queueLimits = limits;
    }

    public synchronized void setWill(Will newWill) {
        this.will = newWill;
        logChanged();
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
     * Queues a message for delivery; see {@link #offer}.
     *
     * @return whether the message was queued
     */
    public boolean enqueue(Outgoing outgoing, boolean queueQos0Offline) {
        return offer(outgoing, queueQos0Offline, false) != NOT_QUEUED;
    }

    /**
     * Queues a message for delivery. When the session is disconnected, QoS 0 messages are queued only if
     * {@code queueQos0Offline}. While the memory budget is at its QoS 0 mark, a session whose queue is among the
     * fullest receives no QoS 0 message. A full queue applies its {@link QueueLimits#overflow() policy}, and a message
     * whose bytes the budget cannot take is dropped. Every drop is reported.
     *
     * @param reserved whether the caller already took this delivery from the budget ({@link MemoryBudget#tryTake});
     *                 it is given back here when the message is not queued
     * @return {@link #NOT_QUEUED}, {@link #QUEUED} or {@link #QUEUED_IN_FULLEST}
     */
    public int offer(Outgoing outgoing, boolean queueQos0Offline, boolean reserved) {
        int charge = outgoing.charge();
        SessionOutput wake = null;
        SessionOutput disconnect = null;
        DropReason reason = null;
        List<Outgoing> evicted = null;
        boolean episode = false;
        int result = NOT_QUEUED;
        int messages;
        long bytes;
        QueueLimits limits;
        synchronized (this) {
            limits = queueLimits;
            if (ended) {
                reason = DropReason.SESSION_ENDED;
            } else if (output == null && outgoing.qos() == 0 && !queueQos0Offline) {
                reason = DropReason.QOS0_OFFLINE;
            } else if (outgoing.qos() == 0 && budget.level() == MemoryBudget.SHED_QOS0
                    && budget.isFullest(queuedBytes + inflightBytes)) {
                reason = DropReason.SHED_QOS0;
            } else if (!reserved && !budget.tryTake(outgoing.message(), 1)) {
                reason = DropReason.BUDGET_FULL;
            } else {
                reserved = true;
                if (limits.full(queue.size(), queuedBytes, charge)) {
                    reason = DropReason.QUEUE_FULL;
                    episode = !overflowing;
                    overflowing = true;
                    if (limits.overflow() == QueueOverflowPolicy.DROP_OLDEST && !limits.full(0, 0, charge)) {
                        evicted = evictOldest(limits, charge);
                    } else if (limits.overflow() == QueueOverflowPolicy.DISCONNECT && episode) {
                        disconnect = output;
                    }
                }
                if (reason == null || evicted != null) {
                    append(outgoing);
                    queuedBytes += charge;
                    wake = output;
                    result = budget.isShort() && budget.isFullest(queuedBytes + inflightBytes)
                            ? QUEUED_IN_FULLEST : QUEUED;
                }
            }
            messages = queue.size();
            bytes = queuedBytes;
        }
        if (result == NOT_QUEUED) {
            if (reserved) {
                budget.give(outgoing.message());
            }
            listener.messageDropped(clientId, outgoing.message(), outgoing.qos(), reason);
        }
        if (evicted != null) {
            for (Outgoing o : evicted) {
                budget.give(o.message());
                listener.messageDropped(clientId, o.message(), o.qos(), DropReason.QUEUE_FULL);
            }
        }
        if (episode) {
            listener.slowConsumer(clientId, limits, messages, bytes);
        }
        if (disconnect != null) {
            disconnect.queueOverflow("message queue full (" + messages + " messages, " + bytes
                    + " bytes): the client does not read fast enough");
        }
        if (wake != null) {
            wake.wakeup();
        }
        return result;
    }

    /** Removes the oldest messages until one of {@code charge} bytes fits. Caller holds the lock. */
    private List<Outgoing> evictOldest(QueueLimits limits, long charge) {
        List<Outgoing> evicted = new ArrayList<>(1);
        while (!queue.isEmpty() && limits.full(queue.size(), queuedBytes, charge)) {
            Outgoing o = queue.pollFirst();
            queuedBytes -= o.charge();
            logRemoved(o);
            evicted.add(o);
        }
        return evicted;
    }

    /** Adds to the queue with the next sequence number. Caller holds the monitor. */
    private void append(Outgoing outgoing) {
        outgoing.seq = nextSeq++;
        queue.addLast(outgoing);
        if (log != null && outgoing.qos() > 0) {
            log.queued(outgoing);
        }
    }

    private void logRemoved(Outgoing outgoing) {
        if (log != null && outgoing.qos() > 0) {
            log.removed(outgoing);
        }
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
                        dequeued(queue.pollFirst());
                        budget.give(next.message());
                        return next;
                    }
                    int packetId = Outgoing.packetIdFor(next.seq);
                    if (inflight.size() >= window || inflight.containsKey(packetId)) {
                        // A full window; or the identifier is still held by a message 65535 older.
                        return null;
                    }
                    dequeued(queue.pollFirst());
                    inflightBytes += next.charge();
                    next.packetId = packetId;
                    next.state = Outgoing.AWAITING_ACK;
                    inflight.put(next.packetId, next);
                    return next;
                }
                dequeued(queue.pollFirst());
                logRemoved(next);
            }
            budget.give(next.message());
            listener.messageDropped(clientId, next.message(), next.qos(), DropReason.EXPIRED);
        }
    }

    /** A message left the queue. Caller holds the lock. */
    private void dequeued(Outgoing o) {
        queuedBytes -= o.charge();
        if (overflowing && queueLimits.drained(queue.size(), queuedBytes)) {
            overflowing = false;
        }
    }

    /** A message left the inflight window: its bytes return to the budget. Caller holds the lock. */
    private Outgoing completed(Outgoing o) {
        inflightBytes -= o.charge();
        budget.give(o.message());
        return o;
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

    /** Budget bytes of the queued messages. */
    public synchronized long queuedBytes() {
        return queuedBytes;
    }

    /** Budget bytes of the messages in flight. */
    public synchronized long inflightBytes() {
        return inflightBytes;
    }

    /** PUBACK for QoS 1. Returns the completed message or {@code null} if the id is unknown. */
    public synchronized Outgoing puback(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || o.qos() != 1) {
            return null;
        }
        inflight.remove(packetId);
        logRemoved(o);
        return completed(o);
    }

    /** PUBREC for QoS 2: the message now awaits PUBCOMP. Returns false when the id is unknown. */
    public synchronized boolean pubrec(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || o.qos() != 2) {
            return false;
        }
        if (o.state != Outgoing.AWAITING_COMPLETE) {
            o.state = Outgoing.AWAITING_COMPLETE;
            if (log != null) {
                log.released(o);
            }
        }
        return true;
    }

    /** PUBREC with an error reason code (v5): the flow ends here. */
    public synchronized Outgoing abandon(int packetId) {
        Outgoing o = inflight.remove(packetId);
        if (o != null) {
            logRemoved(o);
            completed(o);
        }
        return o;
    }

    /** PUBCOMP for QoS 2. Returns the completed message or {@code null}. */
    public synchronized Outgoing pubcomp(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || o.state != Outgoing.AWAITING_COMPLETE) {
            return null;
        }
        inflight.remove(packetId);
        logRemoved(o);
        return completed(o);
    }

    /** Removes a message that could not be sent (e.g. too large for the receiver) from the window. */
    public synchronized void discard(Outgoing outgoing) {
        if (outgoing.packetId != 0 && inflight.remove(outgoing.packetId, outgoing)) {
            logRemoved(outgoing);
            completed(outgoing);
        }
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
                logRemoved(o);
                queuedBytes -= o.charge();
                budget.give(o.message());
                (taken == null ? taken = new ArrayList<>() : taken).add(o.copyForRedelivery());
            }
        }
        for (Iterator<Outgoing> it = inflight.values().iterator(); it.hasNext(); ) {
            Outgoing o = it.next();
            if (o.shareGroup() != null && o.state == Outgoing.AWAITING_ACK) {
                it.remove();
                logRemoved(o);
                completed(o);
                (taken == null ? taken = new ArrayList<>() : taken).add(o.copyForRedelivery());
            }
        }
        return taken == null ? List.of() : taken;
    }

    /** Ends the journal too: with {@code keepReplica} another node carries on, otherwise it forgets the session. */
    synchronized void closeLog(boolean keepReplica) {
        if (log != null) {
            if (keepReplica) {
                log.movedAway();
            } else {
                log.ended();
            }
        }
    }

    synchronized List<Outgoing> clearMessages() {
        List<Outgoing> all = new ArrayList<>(queue);
        for (Outgoing o : inflight.values()) {
            if (o.state == Outgoing.AWAITING_ACK) {
                all.add(o);
            }
        }
        for (Outgoing o : queue) {
            budget.give(o.message());
        }
        for (Outgoing o : inflight.values()) {
            budget.give(o.message());
        }
        queuedBytes = 0;
        inflightBytes = 0;
        overflowing = false;
        queue.clear();
        inflight.clear();
        inboundQos2.clear();
        return all;
    }

    // ---------------------------------------------------------------- moving between nodes

    /** Everything another node needs to carry the session on (the will only when {@code withWill}). */
    public synchronized SessionSnapshot snapshot(boolean withWill) {
        List<QueuedMessage> messages = new ArrayList<>(inflight.size() + queue.size());
        for (Outgoing o : inflight.values()) {
            messages.add(toQueued(o));
        }
        for (Outgoing o : queue) {
            messages.add(toQueued(o));
        }
        messages.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return new SessionSnapshot(clientId, expiryIntervalSeconds, owner, withWill ? will : null,
                new ArrayList<>(subscriptions.values()), messages, new ArrayList<>(inboundQos2), nextSeq,
                output != null, output != null ? 0 : disconnectedAtMillis);
    }

    /** One message of the session as it moves: its stage decides whether it is sent again or released. */
    static QueuedMessage toQueued(Outgoing o) {
        QueuedMessage.Stage stage = o.state == Outgoing.AWAITING_COMPLETE ? QueuedMessage.Stage.RELEASING
                : o.state == Outgoing.AWAITING_ACK && o.sent ? QueuedMessage.Stage.SENT : QueuedMessage.Stage.QUEUED;
        return new QueuedMessage(o.seq, o.message(), o.qos(), o.retain(), o.subscriptionIds(), o.shareGroup(),
                o.shareFilter(), stage);
    }

    /**
     * Takes over the state another node journaled or handed over: messages already sent go back into the inflight
     * window under the identifiers their sequence numbers give; the rest are queued. Every message takes its bytes from
     * the memory budget (even beyond it: they were accepted already). Caller holds the store's lock for the client id
     * and publishes the session afterwards.
     */
    synchronized void restore(SessionSnapshot snapshot) {
        expiryIntervalSeconds = snapshot.expiryIntervalSeconds();
        owner = snapshot.owner();
        will = snapshot.will();
        nextSeq = snapshot.nextSeq();
        disconnectedAtMillis = snapshot.disconnectedAtMillis();
        inboundQos2.addAll(snapshot.inboundQos2());
        for (QueuedMessage m : snapshot.messages()) {
            Outgoing o = new Outgoing(m.message(), m.qos(), m.retain(), m.subscriptionIds(), m.shareGroup(),
                    m.shareFilter());
            o.seq = m.seq();
            nextSeq = Math.max(nextSeq, m.seq() + 1);
            // Messages the session already held on another node are carried on, even beyond the budget.
            budget.take(o.message(), 1);
            if (m.stage() == QueuedMessage.Stage.QUEUED || m.qos() == 0) {
                queue.addLast(o);
                queuedBytes += o.charge();
                continue;
            }
            o.packetId = Outgoing.packetIdFor(m.seq());
            o.sent = true;
            o.state = m.stage() == QueuedMessage.Stage.RELEASING ? Outgoing.AWAITING_COMPLETE : Outgoing.AWAITING_ACK;
            inflight.put(o.packetId, o);
            inflightBytes += o.charge();
        }
    }

    /** When the last connection went (epoch milliseconds), 0 while connected or never. */
    public synchronized long disconnectedAtMillis() {
        return disconnectedAtMillis;
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
