package io.rampart.cluster.session;

import io.rampart.cluster.grid.SessionKeys;
import io.rampart.core.cluster.QueuedMessage;
import io.rampart.core.cluster.SessionLog;
import io.rampart.core.cluster.SessionSnapshot;
import io.rampart.core.session.Outgoing;
import io.rampart.core.session.Session;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.infinispan.Cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The journal of one session. Changes are recorded under the session's monitor and written by one batch at a time,
 * in order, as one call to the session's primary node (all keys of a client id are in one group): a batch starts when
 * the previous one is done, with everything recorded meanwhile. A message queued and acknowledged before its batch
 * left is never written at all.
 *
 * <p>A session that outlives its connection journals its QoS 1/2 messages; any session with a will or an expiry
 * journals its record. A session that does neither writes nothing but its home (which the directory owns).
 */
final class ReplicatedSessionLog implements SessionLog {

    private static final Logger LOG = LogManager.getLogger("rampart.cluster");
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final ClusterJournal journal;
    private final Session session;
    private final String clientId;

    // Guarded by this.
    private boolean recordDirty;
    private final LinkedHashMap<Long, Outgoing> puts = new LinkedHashMap<>();
    private final Set<Long> removes = new LinkedHashSet<>();
    private final TreeSet<Long> live = new TreeSet<>();
    private long nextSeq;
    private boolean persistent;
    private boolean resync;
    private boolean ended;
    private boolean moved;
    private boolean stopped;
    private boolean flushing;
    private CompletableFuture<Void> nextBatch = new CompletableFuture<>();
    private CompletableFuture<Void> lastStarted = DONE;

    ReplicatedSessionLog(ClusterJournal journal, Session session, boolean restored) {
        this.journal = journal;
        this.session = session;
        this.clientId = session.clientId();
        if (restored) {
            // Another node journaled these already: this node carries on from them.
            SessionSnapshot s = session.snapshot(false);
            nextSeq = s.nextSeq();
            for (QueuedMessage m : s.messages()) {
                if (m.qos() > 0) {
                    live.add(m.seq());
                }
            }
            persistent = s.expiryIntervalSeconds() > 0;
        }
    }

    @Override
    public synchronized void changed() {
        if (stopped) {
            return;
        }
        boolean nowPersistent = session.expiryIntervalSeconds() > 0;
        if (nowPersistent && !persistent) {
            resync = true;
        }
        persistent = nowPersistent;
        recordDirty = true;
        schedule();
    }

    @Override
    public synchronized void queued(Outgoing o) {
        nextSeq = Math.max(nextSeq, o.seq() + 1);
        if (stopped || !persistent) {
            return;
        }
        puts.put(o.seq(), o);
        removes.remove(o.seq());
        live.add(o.seq());
        journal.writes().add(nextBatch);
        schedule();
    }

    @Override
    public synchronized void released(Outgoing o) {
        if (stopped || !live.contains(o.seq())) {
            return;
        }
        puts.put(o.seq(), o);
        schedule();
    }

    @Override
    public synchronized void removed(Outgoing o) {
        if (stopped || !live.remove(o.seq())) {
            return;
        }
        if (puts.remove(o.seq()) == null) {
            removes.add(o.seq());
        }
        schedule();
    }

    @Override
    public synchronized void ended() {
        if (stopped) {
            return;
        }
        ended = true;
        stopped = true;
        schedule();
    }

    @Override
    public synchronized void movedAway() {
        if (stopped) {
            return;
        }
        moved = true;
        stopped = true;
        schedule();
    }

    @Override
    public synchronized CompletionStage<Void> flushed() {
        // Pending work always gets a batch of its own (scheduled now, or when the running one ends).
        return hasWork() ? nextBatch : lastStarted;
    }

    private boolean hasWork() {
        return recordDirty || resync || ended || !puts.isEmpty() || !removes.isEmpty();
    }

    private void schedule() {
        if (!flushing && hasWork()) {
            flushing = true;
            journal.batchStarted();
            journal.executor().execute(this::flush);
        }
    }

    private void flush() {
        boolean writeRecord;
        boolean resyncNow;
        boolean endNow;
        List<Outgoing> toPut;
        List<Long> toRemove;
        List<Long> allLive;
        long first;
        long next;
        CompletableFuture<Void> batch;
        synchronized (this) {
            writeRecord = recordDirty && !ended;
            resyncNow = resync && !ended;
            endNow = ended;
            toPut = endNow ? List.of() : new ArrayList<>(puts.values());
            toRemove = new ArrayList<>(removes);
            allLive = endNow ? new ArrayList<>(live) : List.of();
            if (endNow) {
                toRemove.addAll(puts.keySet());
            }
            first = live.isEmpty() ? nextSeq : live.first();
            next = nextSeq;
            recordDirty = false;
            resync = false;
            ended = false;
            puts.clear();
            removes.clear();
            batch = nextBatch;
            nextBatch = new CompletableFuture<>();
            lastStarted = batch;
        }
        CompletableFuture<?> write;
        try {
            write = endNow ? end(toRemove, allLive) : write(writeRecord, resyncNow, toPut, toRemove, first, next);
        } catch (RuntimeException e) {
            write = CompletableFuture.failedFuture(e);
        }
        write.whenComplete((v, error) -> {
            if (error != null) {
                LOG.error("cluster: the journal of session '{}' could not be written: {}", clientId, error.toString());
                batch.completeExceptionally(error);
            } else {
                batch.complete(null);
            }
            journal.batchDone();
            synchronized (this) {
                flushing = false;
                schedule();
            }
        });
    }

    private CompletableFuture<?> write(boolean writeRecord, boolean resyncNow, List<Outgoing> toPut, List<Long> toRemove,
                                       long first, long next) {
        Cache<String, Object> cache = journal.cache();
        Map<String, Object> map = new HashMap<>();
        List<CompletableFuture<?>> done = new ArrayList<>();
        if (writeRecord) {
            if (session.expiryIntervalSeconds() > 0 || session.will() != null) {
                map.put(SessionKeys.record(clientId), SessionCodec.record(session));
            } else {
                done.add(cache.removeAsync(SessionKeys.record(clientId)));
            }
        }
        if (resyncNow) {
            for (QueuedMessage m : session.snapshot(false).messages()) {
                if (m.qos() > 0) {
                    Outgoing o = new Outgoing(m.message(), m.qos(), m.retain(), m.subscriptionIds(), m.shareGroup(),
                            m.shareFilter());
                    map.put(SessionKeys.message(clientId, m.seq()), SessionCodec.message(o, m.seq(), m.stage()));
                    synchronized (this) {
                        live.add(m.seq());
                    }
                }
            }
        }
        for (Outgoing o : toPut) {
            map.put(SessionKeys.message(clientId, o.seq()), SessionCodec.message(o));
        }
        if (!toPut.isEmpty() || !toRemove.isEmpty() || resyncNow) {
            map.put(SessionKeys.cursor(clientId), SessionCodec.cursor(first, next));
        }
        if (!map.isEmpty()) {
            done.add(cache.putAllAsync(map));
        }
        for (long seq : toRemove) {
            done.add(cache.removeAsync(SessionKeys.message(clientId, seq)));
        }
        return done.isEmpty() ? DONE : CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }

    /** The session ended: its record, cursor, messages and (if still this node's) home go. */
    private CompletableFuture<?> end(List<Long> toRemove, List<Long> allLive) {
        Cache<String, Object> cache = journal.cache();
        List<CompletableFuture<?>> done = new ArrayList<>();
        done.add(cache.removeAsync(SessionKeys.record(clientId)));
        done.add(cache.removeAsync(SessionKeys.cursor(clientId)));
        done.add(cache.removeAsync(SessionKeys.home(clientId), journal.localId()));
        Set<Long> seqs = new LinkedHashSet<>(toRemove);
        seqs.addAll(allLive);
        for (long seq : seqs) {
            done.add(cache.removeAsync(SessionKeys.message(clientId, seq)));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }
}
