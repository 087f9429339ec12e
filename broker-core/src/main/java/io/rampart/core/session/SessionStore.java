package io.rampart.core.session;

import io.rampart.core.ClientIdOwnership;
import io.rampart.core.MqttLimits;
import io.rampart.core.QueueLimits;
import io.rampart.core.memory.BudgetSettings;
import io.rampart.core.memory.MemoryBudget;
import io.rampart.core.message.Message;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionIndex;

import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * All sessions by client id, with their lifecycle: creation and resumption at CONNECT, takeover,
 * detachment at disconnect, delayed wills and session expiry. Lifecycle operations for one client id
 * are serialized by a striped lock; message flow never takes these locks.
 */
public final class SessionStore {

    private static final int STRIPES = 64;

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    /** The same sessions in client-id order, for paging through them (admin API); touched at session start and end only. */
    private final ConcurrentSkipListMap<String, Session> ordered = new ConcurrentSkipListMap<>();
    private final Object[] locks = new Object[STRIPES];
    private final MqttLimits limits;
    private final ScheduledExecutorService scheduler;
    private final SessionSubscriptions subscriptions;
    private final SessionListener listener;
    private final MemoryBudget budget;
    private volatile Consumer<Message> willPublisher = m -> { };
    private volatile Consumer<List<Outgoing>> sharedRedelivery = l -> { };

    /** A store whose memory budget is the default share of the maximum heap. */
    public SessionStore(MqttLimits limits, ScheduledExecutorService scheduler, SubscriptionIndex index,
                        SessionListener listener) {
        this(limits, scheduler, index, listener,
                new MemoryBudget(BudgetSettings.ofHeap(Runtime.getRuntime().maxMemory())));
    }

    public SessionStore(MqttLimits limits, ScheduledExecutorService scheduler, SubscriptionIndex index,
                        SessionListener listener, MemoryBudget budget) {
        this.limits = limits;
        this.budget = budget;
        budget.sharedBy(sessions::size);
        this.scheduler = scheduler;
        this.subscriptions = new SessionSubscriptions(index, limits.maxSubscriptionsPerClient());
        this.listener = listener;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Connects the store to the router: wills are published through {@code publisher}, and messages of
     * a share-group member that left are handed to {@code redelivery}.
     */
    public void wire(Consumer<Message> publisher, Consumer<List<Outgoing>> redelivery) {
        this.willPublisher = publisher;
        this.sharedRedelivery = redelivery;
    }

    /**
     * Outcome of binding a connection to a session at CONNECT: either attached ({@code session} set), or refused
     * because the client id's session belongs to another identity ({@code heldBy} names it, nothing changed).
     */
    public record Attached(Session session, boolean sessionPresent, SessionOwner heldBy) {

        public boolean refused() {
            return session == null;
        }
    }

    /** Outcome of {@link #subscribe}. */
    public enum Subscribed {
        /** The session had no subscription with this filter. */
        NEW,
        /** It replaced the session's subscription with the same filter. */
        REPLACED,
        /** Refused: the session already holds {@code max-subscriptions-per-client} other subscriptions. */
        QUOTA_EXCEEDED
    }

    /**
     * Adds a subscription to a session and to the subscription index, or replaces the session's subscription with
     * the same full filter. A session that ended meanwhile keeps nothing in the index.
     */
    public Subscribed subscribe(Session session, Subscription subscription) {
        return subscriptions.subscribe(session, subscription);
    }

    /** Removes a session's subscription from it and from the index; returns it, or {@code null} if it had none. */
    public Subscription unsubscribe(Session session, String fullFilter) {
        return subscriptions.unsubscribe(session, fullFilter);
    }

    private Object lockFor(String clientId) {
        return locks[Math.floorMod(clientId.hashCode(), STRIPES)];
    }

    public Session get(String clientId) {
        return sessions.get(clientId);
    }

    public int size() {
        return sessions.size();
    }

    /** Visits every session (metrics); sessions added or removed meanwhile may or may not be seen. */
    public void forEach(Consumer<Session> visitor) {
        sessions.values().forEach(visitor);
    }

    /**
     * The sessions in client-id order, from {@code clientId} ({@code inclusive}) or after it; {@code null}: from the
     * start. A live view: sessions added or removed meanwhile may or may not be seen; never copies the table.
     */
    public NavigableMap<String, Session> ordered(String clientId, boolean inclusive) {
        return clientId == null ? ordered : ordered.tailMap(clientId, inclusive);
    }

    /**
     * Ends an offline session now, as an administrator asked: its pending will is not published, its
     * subscriptions and queued messages are dropped. Returns {@code false} when a connection is bound to it (close
     * that first) or it has already ended.
     */
    public boolean discardOffline(Session session) {
        synchronized (lockFor(session.clientId())) {
            if (session.isEnded() || session.isConnected()) {
                return false;
            }
            session.takeWill();
            end(session);
        }
        return true;
    }

    /** Number of sessions with a live connection. */
    public int connectedCount() {
        int n = 0;
        for (Session s : sessions.values()) {
            if (s.isConnected()) {
                n++;
            }
        }
        return n;
    }

    /** {@link #attach(String, boolean, long, Will, SessionOutput, SessionOwner)} for an anonymous client. */
    public Attached attach(String clientId, boolean cleanStart, long expiryIntervalSeconds, Will will,
                           SessionOutput output) {
        return attach(clientId, cleanStart, expiryIntervalSeconds, will, output, null);
    }

    /** {@link #attach(String, boolean, long, Will, SessionOutput, SessionOwner, QueueLimits)} with the broker's queue limits. */
    public Attached attach(String clientId, boolean cleanStart, long expiryIntervalSeconds, Will will,
                           SessionOutput output, SessionOwner owner) {
        return attach(clientId, cleanStart, expiryIntervalSeconds, will, output, owner, limits.queueLimits());
    }

    /**
     * Binds {@code output} to the session of {@code clientId}, creating, resuming or replacing it. A live
     * connection on the same client id is taken over (its will is published when the spec says so). With
     * {@link ClientIdOwnership#STRICT}, an existing session (live or persistent) that belongs to an identity
     * other than {@code owner} is left alone and the attach is refused; a session of an anonymous client belongs
     * to nobody. The session's owner becomes {@code owner} ({@code null}: anonymous), and its queue is bounded by
     * {@code queueLimits} (the slow-consumer policy of the new connection) from now on.
     */
    public Attached attach(String clientId, boolean cleanStart, long expiryIntervalSeconds, Will will,
                           SessionOutput output, SessionOwner owner, QueueLimits queueLimits) {
        SessionOutput takenOver = null;
        Message oldWill = null;
        Session session;
        boolean present;
        synchronized (lockFor(clientId)) {
            Session existing = sessions.get(clientId);
            if (existing != null && !existing.isEnded()) {
                SessionOwner current = existing.owner();
                if (current != null && !current.equals(owner)
                        && limits.clientIdOwnership() == ClientIdOwnership.STRICT) {
                    return new Attached(null, false, current);
                }
                Will pendingWill = existing.takeWill();
                boolean wasConnected = existing.isConnected();
                if (pendingWill != null && (cleanStart || (wasConnected && pendingWill.delaySeconds() == 0))) {
                    oldWill = pendingWill.toMessage(clientId);
                }
                if (cleanStart) {
                    takenOver = existing.attach(null);
                    end(existing);
                    existing = null;
                } else {
                    takenOver = existing.attach(output);
                }
            }
            if (existing == null) {
                session = new Session(clientId, queueLimits, budget, listener);
                session.attach(output);
                sessions.put(clientId, session);
                ordered.put(clientId, session);
                present = false;
            } else {
                session = existing;
                present = true;
            }
            session.setExpiryIntervalSeconds(expiryIntervalSeconds);
            session.setWill(will);
            session.setOwner(owner);
            session.setQueueLimits(queueLimits);
        }
        if (takenOver != null) {
            takenOver.takenOver();
        }
        if (oldWill != null) {
            publishWill(clientId, oldWill);
        }
        return new Attached(session, present, null);
    }

    /**
     * The connection behind {@code output} has closed. Nothing happens if the session was already taken
     * over by another connection. Otherwise the will is published now or scheduled (unless
     * {@code discardWill}, i.e. DISCONNECT with reason 0x00), and the session ends now or is scheduled
     * to expire.
     */
    public void detach(Session session, SessionOutput output, boolean discardWill) {
        String clientId = session.clientId();
        Message willNow = null;
        List<Outgoing> redeliver;
        synchronized (lockFor(clientId)) {
            if (!session.detach(output)) {
                return;
            }
            long expiry = session.expiryIntervalSeconds();
            Will will = session.takeWill();
            if (will != null && !discardWill) {
                if (will.delaySeconds() == 0 || expiry == 0) {
                    willNow = will.toMessage(clientId);
                } else {
                    session.setWill(will);
                    long generation = session.generation();
                    long delay = Math.min(will.delaySeconds(), expiry);
                    scheduler.schedule(() -> fireDelayedWill(session, generation), delay, TimeUnit.SECONDS);
                }
            }
            redeliver = session.takeSharedForRedelivery();
            if (expiry == 0) {
                end(session);
            } else if (expiry < MqttLimits.MQTT_MAX_SESSION_EXPIRY) {
                long generation = session.generation();
                scheduler.schedule(() -> expire(session, generation), expiry, TimeUnit.SECONDS);
            }
        }
        if (willNow != null) {
            publishWill(clientId, willNow);
        }
        if (!redeliver.isEmpty()) {
            sharedRedelivery.accept(redeliver);
        }
    }

    private void fireDelayedWill(Session session, long generation) {
        Message will = null;
        synchronized (lockFor(session.clientId())) {
            if (session.generation() == generation && !session.isConnected()) {
                Will w = session.takeWill();
                if (w != null) {
                    will = w.toMessage(session.clientId());
                }
            }
        }
        if (will != null) {
            publishWill(session.clientId(), will);
        }
    }

    private void expire(Session session, long generation) {
        Message will = null;
        synchronized (lockFor(session.clientId())) {
            if (session.generation() != generation || session.isConnected() || session.isEnded()) {
                return;
            }
            Will w = session.takeWill();
            if (w != null) {
                will = w.toMessage(session.clientId());
            }
            end(session);
        }
        if (will != null) {
            publishWill(session.clientId(), will);
        }
        listener.sessionExpired(session.clientId());
    }

    /** Removes a session and its subscriptions. Caller holds the client id's lock. */
    private void end(Session session) {
        if (!session.markEnded()) {
            return;
        }
        sessions.remove(session.clientId(), session);
        ordered.remove(session.clientId(), session);
        subscriptions.removeAll(session);
        List<Outgoing> lost = session.clearMessages();
        List<Outgoing> shared = null;
        for (Outgoing o : lost) {
            if (o.shareGroup() != null) {
                (shared == null ? shared = new java.util.ArrayList<>() : shared).add(o.copyForRedelivery());
            }
        }
        if (shared != null) {
            List<Outgoing> again = shared;
            scheduler.execute(() -> sharedRedelivery.accept(again));
        }
        listener.sessionEnded(session.clientId());
    }

    private void publishWill(String clientId, Message will) {
        willPublisher.accept(will);
        listener.willPublished(clientId, will);
    }

    /** Ends every session immediately (broker shutdown); wills are not published. */
    public void clear() {
        for (Session s : sessions.values()) {
            synchronized (lockFor(s.clientId())) {
                end(s);
            }
        }
    }
}
