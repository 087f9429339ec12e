package io.rampart.cluster.shared;

import io.rampart.cluster.membership.Member;
import io.rampart.cluster.membership.Membership;
import io.rampart.cluster.transport.Messenger;
import io.rampart.cluster.transport.Rpc;
import io.rampart.cluster.transport.Wire;
import io.rampart.core.cluster.SharedState;
import io.rampart.core.cluster.SharedTable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryExpired;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The shared security state on the data grid: every table is a slice ({@code <table>/<key>}) of one replicated cache
 * ({@link io.rampart.cluster.grid.Grid#SHARED}), whose changes made by other nodes reach the table's listener through
 * a cache listener; signals go to every other node over the {@link Messenger} (the same TLS connections).
 */
public final class GridSharedState implements SharedState {

    private static final Logger LOG = LogManager.getLogger("rampart.cluster");
    private static final char SEPARATOR = '/';
    /** The request operation of {@link #ask} ({@link Rpc}). */
    static final int ASK = 2;

    private final Cache<String, byte[]> cache;
    private final Messenger messenger;
    private final Rpc rpc;
    private final Membership membership;
    private final Executor senders;
    private final String nodeName;
    private final ConcurrentHashMap<String, Table> tables = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Consumer<byte[]>> signalHandlers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Function<byte[], byte[]>> askHandlers = new ConcurrentHashMap<>();
    private final Changes changes = new Changes();

    /**
     * @param senders sends signals (a send may wait under flow control)
     */
    public GridSharedState(Cache<String, byte[]> cache, Messenger messenger, Rpc rpc, Membership membership,
                           Executor senders, String nodeName) {
        this.cache = cache;
        this.messenger = messenger;
        this.rpc = rpc;
        this.membership = membership;
        this.senders = senders;
        this.nodeName = nodeName;
        messenger.on(Messenger.SIGNAL, this::signalled);
        rpc.serve(ASK, (from, in) -> {
            String channel = in.readString();
            byte[] request = in.readBytes();
            Function<byte[], byte[]> handler = askHandlers.get(channel);
            if (handler == null) {
                throw new IOException("nothing answers '" + channel + "' on node " + nodeName);
            }
            byte[] answer = handler.apply(request == null ? new byte[0] : request);
            return CompletableFuture.completedFuture(new Wire.Out(answer.length + 8).writeBytes(answer).toByteArray());
        });
    }

    /** Follows the cache from now on. */
    public void start() {
        cache.addListener(changes);
    }

    public void stop() {
        cache.removeListener(changes);
    }

    @Override
    public SharedTable table(String name) {
        if (name.isEmpty() || name.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("a shared table's name is not empty and has no '/': " + name);
        }
        return tables.computeIfAbsent(name, Table::new);
    }

    @Override
    public void signal(String channel, byte[] data) {
        byte[] frame = new Wire.Out(data.length + channel.length() + 16).writeByte(Messenger.SIGNAL)
                .writeString(channel).writeBytes(data).toByteArray();
        Member local = membership.local();
        try {
            senders.execute(() -> {
                for (Member m : membership.members()) {
                    if (m.equals(local)) {
                        continue;
                    }
                    try {
                        messenger.send(m.address(), frame);
                    } catch (Exception e) {
                        LOG.debug("cluster: a '{}' signal did not reach {}: {}", channel, m.name(), e.toString());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("cluster: a '{}' signal was not sent, the node is closing", channel);
        }
    }

    @Override
    public void onSignal(String channel, Consumer<byte[]> handler) {
        signalHandlers.put(channel, handler);
    }

    @Override
    public CompletionStage<byte[]> ask(String node, String channel, byte[] request, Duration timeout) {
        for (Member m : membership.members()) {
            if (m.name().equals(node)) {
                byte[] body = new Wire.Out(request.length + channel.length() + 16).writeString(channel)
                        .writeBytes(request).toByteArray();
                return rpc.call(m.address(), ASK, body, timeout).thenApply(in -> {
                    try {
                        byte[] answer = in.readBytes();
                        return answer == null ? new byte[0] : answer;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
        }
        return CompletableFuture.failedFuture(new IOException("no node '" + node + "' in the cluster"));
    }

    @Override
    public void onAsk(String channel, Function<byte[], byte[]> handler) {
        askHandlers.put(channel, handler);
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public List<String> nodeNames() {
        return membership.members().stream().map(Member::name).toList();
    }

    private void signalled(org.jgroups.Address from, Wire.In in) throws IOException {
        String channel = in.readString();
        byte[] data = in.readBytes();
        Consumer<byte[]> handler = signalHandlers.get(channel);
        if (handler != null) {
            handler.accept(data);
        }
    }

    private void changed(String cacheKey, byte[] value) {
        int slash = cacheKey.indexOf(SEPARATOR);
        if (slash <= 0) {
            return;
        }
        Table t = tables.get(cacheKey.substring(0, slash));
        SharedTable.Listener l = t == null ? null : t.listener;
        if (l != null) {
            try {
                l.changed(cacheKey.substring(slash + 1), value);
            } catch (RuntimeException e) {
                LOG.error("cluster: a change of the shared '{}' entry could not be applied on this node: {}",
                        cacheKey.substring(0, slash), e.toString());
            }
        }
    }

    /** One table: the cache entries under its prefix. */
    private final class Table implements SharedTable {
        private final String prefix;
        private volatile Listener listener;

        Table(String name) {
            this.prefix = name + SEPARATOR;
        }

        @Override
        public void put(String key, byte[] value, Instant expiresAt) {
            if (expiresAt == null) {
                cache.put(prefix + key, value);
                return;
            }
            long left = expiresAt.toEpochMilli() - System.currentTimeMillis();
            if (left <= 0) {
                cache.remove(prefix + key);
                return;
            }
            cache.put(prefix + key, value, left, TimeUnit.MILLISECONDS);
        }

        @Override
        public void remove(String key) {
            cache.remove(prefix + key);
        }

        @Override
        public byte[] get(String key) {
            return cache.get(prefix + key);
        }

        @Override
        public Map<String, byte[]> entries() {
            Map<String, byte[]> out = new HashMap<>();
            for (Map.Entry<String, byte[]> e : cache.entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    out.put(e.getKey().substring(prefix.length()), e.getValue());
                }
            }
            return out;
        }

        @Override
        public void listen(Listener l) {
            this.listener = l;
        }
    }

    /**
     * Hands the other nodes' committed changes to the tables before the write returns to the node that made it, so a
     * change is in force on every node once its call returns.
     */
    @Listener(sync = true)
    public final class Changes {

        @CacheEntryCreated
        public void created(CacheEntryEvent<String, byte[]> e) {
            if (!e.isPre() && !e.isOriginLocal()) {
                changed(e.getKey(), e.getValue());
            }
        }

        @CacheEntryModified
        public void modified(CacheEntryEvent<String, byte[]> e) {
            if (!e.isPre() && !e.isOriginLocal()) {
                changed(e.getKey(), e.getValue());
            }
        }

        @CacheEntryRemoved
        public void removed(CacheEntryEvent<String, byte[]> e) {
            if (!e.isPre() && !e.isOriginLocal()) {
                changed(e.getKey(), null);
            }
        }

        @CacheEntryExpired
        public void expired(CacheEntryEvent<String, byte[]> e) {
            changed(e.getKey(), null);
        }
    }
}
