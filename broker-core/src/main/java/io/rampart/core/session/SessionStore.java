package io.rampart.core.session;

import io.rampart.core.ClientIdOwnership;
import io.rampart.core.MqttLimits;
import io.rampart.core.QueueLimits;
import io.rampart.core.cluster.SessionJournal;
import io.rampart.core.cluster.SessionLog;
import io.rampart.core.cluster.SessionSnapshot;
import io.rampart.core.memory.BudgetSettings;
import io.rampart.core.memory.MemoryBudget;
import io.rampart.core.message.Message;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionIndex;

import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    private final SessionJournal journal;
    private final MemoryBudget budget;
    private volatile Consumer<Message> willPublisher = m -> { };
    private volatile Consumer<List<Outgoing>> sharedRedelivery = l -> { };

    /** A store whose memory budget is the default share of the maximum heap. */
    public SessionStore(MqttLimits limits, ScheduledExecutorService scheduler, SubscriptionIndex index,
                        SessionListener listener) {
        this(limits, scheduler, index, listener,
                new MemoryBudget(BudgetSettings.ofHeap(Runtime.getRuntime().maxMemory())));
    }

    /** A single node's store: no journal. */
    public SessionStore(MqttLimits limits, ScheduledExecutorService scheduler, SubscriptionIndex index,
                        SessionListener listener, MemoryBudget budget) {
        this(limits, scheduler, index, listener, budget, SessionJournal.NONE);
    }

    /**
     * @param budget  the memory budget the sessions' queues and inflight windows draw from
     * @param journal journals the sessions for other nodes (cluster), or {@link SessionJournal#NONE}
     */
    public SessionStore(MqttLimits limits, ScheduledExecutorService scheduler, SubscriptionIndex index,
                        SessionListener listener, MemoryBudget budget, SessionJournal journal) {
        this.limits = limits;
        this.budget = budget;
        budget.sharedBy(sessions::size);
        this.scheduler = scheduler;
        this.subscriptions = new SessionSubscriptions(index, limits.maxSubscriptionsPerClient());
        this.listener = listener;
        this.journal = journal;
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
                session = newSession(clientId, queueLimits);
                openLog(session, false);
                session.attach(output);
                sessions.put(clientId, session);
                ordered.put(clientId, session);
                present = false;
            } else {
                session = existing;
                present = true;
            }
            session.setOwner(owner);
            session.setExpiryIntervalSeconds(expiryIntervalSeconds);
            session.setWill(will);
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

    private Session newSession(String clientId, QueueLimits queueLimits) {
        return new Session(clientId, queueLimits, budget, listener);
    }

    /** Opens the session's journal (cluster); a restored session's state must be in place already. */
    private void openLog(Session session, boolean restored) {
        SessionLog log = journal.open(session, restored);
        if (log != null) {
            session.openLog(log);
        }
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
            session.logChanged();
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
        end(session, false);
    }

    /**
     * Removes a session and its subscriptions; with {@code keepReplica} its journaled state stays for another node to
     * carry on with. Caller holds the client id's lock.
     */
    private void end(Session session, boolean keepReplica) {
        if (!session.markEnded()) {
            return;
        }
        sessions.remove(session.clientId(), session);
        ordered.remove(session.clientId(), session);
        subscriptions.removeAll(session);
        session.closeLog(keepReplica);
        if (keepReplica) {
            session.clearMessages();
            listener.sessionEnded(session.clientId());
            return;
        }
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

    /**
     * Ends every session immediately (broker shutdown); wills are not published. Journaled sessions (cluster) stay
     * in the journal, for the other nodes to carry on with.
     */
    public void clear() {
        for (Session s : sessions.values()) {
            synchronized (lockFor(s.clientId())) {
                end(s, true);
            }
        }
    }

    // ---------------------------------------------------------------- moving sessions between nodes

    /**
     * Outcome of {@link #export}: the session's state for the node that takes it ({@code null}: it had none, or a clean
     * start ended it), or a refusal because it belongs to another identity ({@code heldBy}), and when this node's
     * journal writes for it are done ({@code flushed}).
     */
    public record Exported(SessionSnapshot snapshot, SessionOwner heldBy, CompletionStage<Void> flushed) {

        static final Exported NOTHING = new Exported(null, null, CompletableFuture.completedFuture(null));

        public boolean refused() {
            return heldBy != null;
        }
    }

    /**
     * A connection on another node takes the session of {@code clientId} over, as {@link #attach} does for one on this
     * node: the same ownership rule applies, a bound connection is told it was taken over, the old will is published
     * when a local takeover would publish it. With a clean start the session ends here; otherwise its state is handed
     * over and it leaves this node (its journaled state stays for the new node).
     */
    public Exported export(String clientId, boolean cleanStart, SessionOwner owner) {
        SessionOutput takenOver;
        Message oldWill = null;
        SessionSnapshot snapshot = null;
        CompletionStage<Void> flushed;
        synchronized (lockFor(clientId)) {
            Session existing = sessions.get(clientId);
            if (existing == null || existing.isEnded()) {
                return Exported.NOTHING;
            }
            SessionOwner current = existing.owner();
            if (current != null && !current.equals(owner) && limits.clientIdOwnership() == ClientIdOwnership.STRICT) {
                return new Exported(null, current, CompletableFuture.completedFuture(null));
            }
            Will pendingWill = existing.takeWill();
            boolean wasConnected = existing.isConnected();
            if (pendingWill != null && (cleanStart || (wasConnected && pendingWill.delaySeconds() == 0))) {
                oldWill = pendingWill.toMessage(clientId);
            }
            takenOver = existing.attach(null);
            if (!cleanStart) {
                snapshot = existing.snapshot(false);
            }
            end(existing, !cleanStart);
            SessionLog log = existing.log();
            flushed = log == null ? CompletableFuture.completedFuture(null) : log.flushed();
        }
        if (takenOver != null) {
            takenOver.takenOver();
        }
        if (oldWill != null) {
            publishWill(clientId, oldWill);
        }
        return new Exported(snapshot, null, flushed);
    }

    /**
     * Takes a session another node handed over (or journaled) into this store, offline, with its subscriptions,
     * queued and inflight messages; a connection then resumes it with {@link #attach}. A session already here under the
     * same client id is replaced.
     */
    public Session restore(SessionSnapshot snapshot) {
        synchronized (lockFor(snapshot.clientId())) {
            return restoreLocked(snapshot);
        }
    }

    private Session restoreLocked(SessionSnapshot snapshot) {
        String clientId = snapshot.clientId();
        Session existing = sessions.get(clientId);
        if (existing != null) {
            end(existing, true);
        }
        Session session = newSession(clientId, limits.queueLimits());
        session.restore(snapshot);
        openLog(session, true);
        sessions.put(clientId, session);
        ordered.put(clientId, session);
        for (Subscription s : snapshot.subscriptions()) {
            subscriptions.subscribe(session, s);
        }
        return session;
    }

    /**
     * Carries on a session whose node is gone: restores it ({@link #restore}) and treats it as disconnected since the
     * node went (when its connection was live) or since its own disconnect: the will is published at once or when its
     * delay is over, and the session expires when its interval is over.
     */
    public Session adopt(SessionSnapshot snapshot) {
        String clientId = snapshot.clientId();
        long elapsedSeconds = snapshot.connected() || snapshot.disconnectedAtMillis() == 0 ? 0
                : Math.max(0, (System.currentTimeMillis() - snapshot.disconnectedAtMillis()) / 1000);
        Message willNow = null;
        boolean expireNow = false;
        Session session;
        synchronized (lockFor(clientId)) {
            session = restoreLocked(snapshot);
            long expiry = session.expiryIntervalSeconds();
            long remaining = Math.max(0, expiry - elapsedSeconds);
            Will will = session.takeWill();
            if (will != null) {
                long willDelay = Math.max(0, will.delaySeconds() - elapsedSeconds);
                if (willDelay == 0 || remaining == 0) {
                    willNow = will.toMessage(clientId);
                } else {
                    session.setWill(will);
                    long generation = session.generation();
                    scheduler.schedule(() -> fireDelayedWill(session, generation), Math.min(willDelay, remaining),
                            TimeUnit.SECONDS);
                }
            }
            if (remaining == 0) {
                expireNow = true;
                end(session);
            } else if (expiry < MqttLimits.MQTT_MAX_SESSION_EXPIRY) {
                long generation = session.generation();
                scheduler.schedule(() -> expire(session, generation), remaining, TimeUnit.SECONDS);
            }
        }
        if (willNow != null) {
            publishWill(clientId, willNow);
        }
        if (expireNow) {
            listener.sessionExpired(clientId);
        }
        return session;
    }

    /**
     * Lets go of a session here because another node carries it on (the cluster came back together and that node holds
     * it now): no will, no journal change, its connection (if any) is told it was taken over.
     */
    public void release(String clientId) {
        SessionOutput bound;
        synchronized (lockFor(clientId)) {
            Session existing = sessions.get(clientId);
            if (existing == null || existing.isEnded()) {
                return;
            }
            existing.takeWill();
            bound = existing.attach(null);
            end(existing, true);
        }
        if (bound != null) {
            bound.takenOver();
        }
    }
}
