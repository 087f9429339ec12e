package io.rampart.cluster.session;

import io.rampart.cluster.grid.SessionKeys;
import io.rampart.cluster.membership.Member;
import io.rampart.cluster.membership.Membership;
import io.rampart.cluster.transport.Rpc;
import io.rampart.cluster.transport.Wire;
import io.rampart.core.BrokerCore;
import io.rampart.core.cluster.SessionDirectory;
import io.rampart.core.cluster.SessionSnapshot;
import io.rampart.core.session.Session;
import io.rampart.core.session.SessionOwner;
import io.rampart.core.session.SessionStore;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.jgroups.Address;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster-wide client-id directory: each client id's session has one home node, kept in the sessions cache
 * ({@code h\0client id} → node id).
 *
 * <ul>
 *   <li>A CONNECT claims the client id for its node: a new id becomes this node's; a session at home on another live
 *   node is taken over (that node disconnects its connection with 0x8E and hands the session over, or ends it for a
 *   clean start); a session whose home node is gone is adopted from the journal.</li>
 *   <li>When a node leaves, the surviving nodes adopt its sessions from the journal (whoever changes the home first),
 *   publishing their wills as their delays run out; a sweep repeats this for any home left behind.</li>
 *   <li>After a partition heals, sessions this node holds that another node now owns are let go.</li>
 * </ul>
 *
 * Claims and takeovers of one client id run one at a time on each node.
 */
public final class ClusterDirectory implements SessionDirectory {

    static final int TAKEOVER = 1;
    private static final int MOVED = 1;
    private static final int REFUSED = 2;
    private static final int NOT_HOME = 3;
    private static final int ATTEMPTS = 5;
    private static final Logger LOG = LogManager.getLogger("rampart.cluster");

    private final Cache<String, Object> cache;
    private final ClusterJournal journal;
    private final Membership membership;
    private final Rpc rpc;
    private final Duration timeout;
    private final KeyedSerializer serializer;
    private final String localId;
    private volatile BrokerCore core;

    public ClusterDirectory(Cache<String, Object> cache, ClusterJournal journal, Membership membership, Rpc rpc,
                            Executor executor, Duration timeout, String localId) {
        this.cache = cache;
        this.journal = journal;
        this.membership = membership;
        this.rpc = rpc;
        this.timeout = timeout;
        this.serializer = new KeyedSerializer(executor);
        this.localId = localId;
        rpc.serve(TAKEOVER, this::takeover);
    }

    public void bind(BrokerCore brokerCore) {
        this.core = brokerCore;
    }

    @Override
    public CompletionStage<Claim> claim(String clientId, boolean cleanStart, SessionOwner owner) {
        if (membership.isMinority()) {
            return CompletableFuture.completedFuture(Claim.unavailable("this node is cut off from most of the cluster"));
        }
        return serializer.submit(clientId, () -> claimNow(clientId, cleanStart, owner));
    }

    private Claim claimNow(String clientId, boolean cleanStart, SessionOwner owner) {
        String homeKey = SessionKeys.home(clientId);
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                Object current = cache.get(homeKey);
                if (current == null) {
                    if (cache.putIfAbsent(homeKey, localId) == null) {
                        return Claim.HERE;
                    }
                    continue;
                }
                String home = current.toString();
                if (home.equals(localId)) {
                    return Claim.HERE;
                }
                Member member = membership.byId(home);
                if (member != null) {
                    Claim claim = takeOverFrom(member, clientId, cleanStart, owner);
                    if (claim != null) {
                        return claim;
                    }
                } else if (cache.replace(homeKey, home, localId)) {
                    SessionSnapshot snapshot = journal.load(clientId);
                    if (snapshot != null) {
                        core.sessions().adopt(snapshot);
                        LOG.info("cluster: session '{}' of node {} (gone) adopted for a new connection", clientId,
                                nodeName(home));
                    }
                    return Claim.HERE;
                }
            }
            return Claim.unavailable("the session of '" + clientId + "' kept moving between nodes");
        } catch (IOException | RuntimeException | ExecutionException | TimeoutException e) {
            return Claim.unavailable("the session of '" + clientId + "' could not be claimed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Claim.unavailable("interrupted");
        }
    }

    /** Asks the session's home node to hand it over; {@code null}: it is no longer the home, look again. */
    private Claim takeOverFrom(Member member, String clientId, boolean cleanStart, SessionOwner owner)
            throws IOException, ExecutionException, TimeoutException, InterruptedException {
        Wire.Out request = new Wire.Out(64).writeString(clientId).writeBoolean(cleanStart).writeString(localId)
                .writeBoolean(owner != null);
        if (owner != null) {
            request.writeString(owner.authority()).writeString(owner.name());
        }
        Wire.In reply = rpc.call(member.address(), TAKEOVER, request.toByteArray(), timeout)
                .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        int outcome = reply.readByte();
        if (outcome == REFUSED) {
            return Claim.heldBy(new SessionOwner(reply.readString(), reply.readString()));
        }
        if (outcome == NOT_HOME) {
            return null;
        }
        if (reply.readBoolean()) {
            SessionSnapshot snapshot = SessionCodec.snapshot(reply);
            core.sessions().restore(snapshot);
            LOG.debug("cluster: session '{}' moved here from {}", clientId, member.name());
        }
        return Claim.HERE;
    }

    /** Another node's CONNECT takes over a session at home here. */
    private CompletionStage<byte[]> takeover(Address from, Wire.In in) throws IOException {
        String clientId = in.readString();
        boolean cleanStart = in.readBoolean();
        String requester = in.readString();
        SessionOwner owner = in.readBoolean() ? new SessionOwner(in.readString(), in.readString()) : null;
        return serializer.submit(clientId, () -> {
            String homeKey = SessionKeys.home(clientId);
            Object home = cache.get(homeKey);
            if (home == null || !localId.equals(home.toString())) {
                return new Wire.Out(1).writeByte(NOT_HOME).toByteArray();
            }
            SessionStore.Exported exported = core.sessions().export(clientId, cleanStart, owner);
            if (exported.refused()) {
                return new Wire.Out(64).writeByte(REFUSED).writeString(exported.heldBy().authority())
                        .writeString(exported.heldBy().name()).toByteArray();
            }
            try {
                exported.flushed().toCompletableFuture().get(timeout.toMillis() / 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("cluster: the journal of session '{}' was not flushed before it moved: {}", clientId,
                        e.toString());
            }
            cache.put(homeKey, requester);
            Wire.Out out = new Wire.Out(256).writeByte(MOVED).writeBoolean(exported.snapshot() != null);
            byte[] body = out.toByteArray();
            if (exported.snapshot() == null) {
                return body;
            }
            byte[] snapshot = SessionCodec.snapshot(exported.snapshot());
            byte[] all = new byte[body.length + snapshot.length];
            System.arraycopy(body, 0, all, 0, body.length);
            System.arraycopy(snapshot, 0, all, body.length, snapshot.length);
            return all;
        });
    }

    /**
     * Adopts the sessions whose home node is no longer in the view, among those whose entries this node holds. Run when
     * nodes leave and periodically; never on a minority side.
     */
    public void adoptOrphans() {
        if (membership.isMinority() || core == null) {
            return;
        }
        List<Map.Entry<String, String>> orphans = new ArrayList<>();
        try {
            for (Map.Entry<String, Object> e : cache.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).entrySet()) {
                if (SessionKeys.isHome(e.getKey()) && e.getValue() != null) {
                    String home = e.getValue().toString();
                    if (!home.equals(localId) && !membership.isAlive(home)) {
                        orphans.add(Map.entry(SessionKeys.clientId(e.getKey()), home));
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("cluster: the sessions of departed nodes could not be listed: {}", e.toString());
            return;
        }
        for (Map.Entry<String, String> orphan : orphans) {
            serializer.submit(orphan.getKey(), () -> adopt(orphan.getKey(), orphan.getValue()));
        }
    }

    private Void adopt(String clientId, String deadHome) {
        try {
            if (membership.isMinority() || !cache.replace(SessionKeys.home(clientId), deadHome, localId)) {
                return null;
            }
            SessionSnapshot snapshot = journal.load(clientId);
            if (snapshot == null) {
                cache.remove(SessionKeys.home(clientId), localId);
                return null;
            }
            Session session = core.sessions().adopt(snapshot);
            LOG.info("cluster: session '{}' of node {} (gone) adopted: {} queued message(s), will {}", clientId,
                    nodeName(deadHome), snapshot.messages().size(), snapshot.will() == null ? "none"
                            : session.isEnded() ? "published" : "pending");
        } catch (IOException | RuntimeException e) {
            LOG.error("cluster: session '{}' of node {} could not be adopted: {}", clientId, nodeName(deadHome),
                    e.toString());
        }
        return null;
    }

    /** After a partition healed: sessions held here whose home is now another node are let go. */
    public void reconcile() {
        if (core == null) {
            return;
        }
        List<String> ids = new ArrayList<>(core.sessions().ordered(null, false).keySet());
        for (String clientId : ids) {
            serializer.submit(clientId, () -> {
                try {
                    Object home = cache.get(SessionKeys.home(clientId));
                    if (home != null && !localId.equals(home.toString())) {
                        core.sessions().release(clientId);
                        LOG.info("cluster: session '{}' is held by {} after the partition healed; let go here",
                                clientId, nodeName(home.toString()));
                    } else if (home == null) {
                        cache.putIfAbsent(SessionKeys.home(clientId), localId);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("cluster: session '{}' could not be reconciled: {}", clientId, e.toString());
                }
                return null;
            });
        }
    }

    private String nodeName(String nodeId) {
        return membership.nameOf(nodeId);
    }
}
