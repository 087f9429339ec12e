package io.rampart.cluster.session;

import io.rampart.cluster.grid.SessionKeys;
import io.rampart.cluster.grid.WriteCapture;
import io.rampart.core.cluster.QueuedMessage;
import io.rampart.core.cluster.SessionJournal;
import io.rampart.core.cluster.SessionLog;
import io.rampart.core.cluster.SessionSnapshot;
import io.rampart.core.session.Session;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.infinispan.Cache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Journals this node's sessions into the distributed sessions cache ({@code 1 + replication} copies), so another node
 * can carry a session on when this one is gone: every session's record (when it has a will or outlives its
 * connection), and the QoS 1/2 messages queued for sessions that outlive their connection.
 */
public final class ClusterJournal implements SessionJournal {

    private static final Logger LOG = LogManager.getLogger("rampart.cluster");
    /** Most messages read back for one session; far above any queue limit plus inflight window. */
    static final int MAX_MESSAGES = 200_000;

    private final Cache<String, Object> cache;
    private final Executor executor;
    private final WriteCapture writes;
    private final String localId;
    private final AtomicInteger pendingBatches = new AtomicInteger();
    private final List<CompletableFuture<Void>> drainWaiters = new ArrayList<>();

    public ClusterJournal(Cache<String, Object> cache, Executor executor, WriteCapture writes, String localId) {
        this.cache = cache;
        this.executor = executor;
        this.writes = writes;
        this.localId = localId;
    }

    @Override
    public SessionLog open(Session session, boolean restored) {
        return new ReplicatedSessionLog(this, session, restored);
    }

    Cache<String, Object> cache() {
        return cache;
    }

    Executor executor() {
        return executor;
    }

    WriteCapture writes() {
        return writes;
    }

    String localId() {
        return localId;
    }

    void batchStarted() {
        pendingBatches.incrementAndGet();
    }

    void batchDone() {
        synchronized (drainWaiters) {
            if (pendingBatches.decrementAndGet() == 0) {
                drainWaiters.forEach(w -> w.complete(null));
                drainWaiters.clear();
            }
        }
    }

    /** Completes once no journal batch is being written. */
    public CompletableFuture<Void> drained() {
        synchronized (drainWaiters) {
            if (pendingBatches.get() == 0) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> waiter = new CompletableFuture<>();
            drainWaiters.add(waiter);
            return waiter;
        }
    }

    /** Session journal writes started and not finished yet: the replication lag, in batches. */
    public int lag() {
        return pendingBatches.get();
    }

    /**
     * Reads a session back from the journal (a node that is gone wrote it), or {@code null} when there is no record.
     */
    public SessionSnapshot load(String clientId) throws IOException {
        Object record = cache.get(SessionKeys.record(clientId));
        if (!(record instanceof byte[] recordBytes)) {
            return null;
        }
        SessionCodec.Record r = SessionCodec.record(recordBytes);
        Object cursor = cache.get(SessionKeys.cursor(clientId));
        List<QueuedMessage> messages = new ArrayList<>();
        long nextSeq = 0;
        if (cursor instanceof byte[] cursorBytes) {
            long[] c = SessionCodec.cursor(cursorBytes);
            nextSeq = c[1];
            long from = Math.max(c[0], c[1] - MAX_MESSAGES);
            Set<String> keys = new LinkedHashSet<>();
            for (long seq = from; seq < c[1]; seq++) {
                keys.add(SessionKeys.message(clientId, seq));
            }
            for (Map.Entry<String, Object> e : cache.getAdvancedCache().getAll(keys).entrySet()) {
                if (e.getValue() instanceof byte[] bytes) {
                    try {
                        messages.add(SessionCodec.message(bytes));
                    } catch (IOException ex) {
                        LOG.error("cluster: a queued message of session '{}' cannot be read and is skipped: {}",
                                clientId, ex.getMessage());
                    }
                }
            }
            messages.sort(Comparator.comparingLong(QueuedMessage::seq));
        }
        return new SessionSnapshot(clientId, r.expiry(), r.owner(), r.will(), r.subscriptions(), messages, List.of(),
                nextSeq, r.connected(), r.disconnectedAtMillis());
    }
}
