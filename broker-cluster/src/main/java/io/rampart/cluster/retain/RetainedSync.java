package io.rampart.cluster.retain;

import io.rampart.cluster.grid.WriteCapture;
import io.rampart.cluster.transport.MessageCodec;
import io.rampart.cluster.transport.Wire;
import io.rampart.core.cluster.RetainedReplication;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.retain.RetainedStore;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Retained messages on every node: each one stored here also goes into the replicated retained cache (topic →
 * message), and every committed change of the cache, whichever node made it, is applied to this node's retained store
 * in the cache's order. So all stores converge on the cache, and a retained message survives the loss of any node. A
 * message with an expiry gets the same lifespan in the cache.
 */
public final class RetainedSync implements RetainedReplication {

    private static final Logger LOG = LogManager.getLogger("rampart.cluster");

    private final Cache<String, byte[]> cache;
    private final WriteCapture writes;
    private final CacheListener listener = new CacheListener();
    private volatile RetainedStore store;

    public RetainedSync(Cache<String, byte[]> cache, WriteCapture writes) {
        this.cache = cache;
        this.writes = writes;
    }

    /** Loads every retained message of the cluster into {@code retained} and follows the cache from now on. */
    public void start(RetainedStore retained) {
        this.store = retained;
        cache.addListener(listener);
        for (Map.Entry<String, byte[]> e : cache.entrySet()) {
            apply(e.getKey(), e.getValue());
        }
    }

    public void stop() {
        cache.removeListener(listener);
    }

    @Override
    public void retainedChanged(Message message) {
        if (store == null) {
            return;
        }
        CompletableFuture<?> write;
        try {
            if (message.payload().length == 0) {
                write = cache.removeAsync(message.topic());
            } else {
                Wire.Out out = new Wire.Out(64 + message.payload().length);
                MessageCodec.write(out, message, true);
                long leftMillis = message.hasExpiry()
                        ? Math.max(1, (message.expiryDeadlineNanos() - System.nanoTime()) / 1_000_000) : -1;
                write = cache.putAsync(message.topic(), out.toByteArray(), leftMillis, TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            write = CompletableFuture.failedFuture(e);
        }
        write.whenComplete((v, e) -> {
            if (e != null) {
                LOG.error("cluster: the retained message of '{}' could not be replicated: {}", message.topic(),
                        e.toString());
            }
        });
        writes.addEarly(write);
    }

    /** After a partition healed: this node's store is made to match the cache again. */
    public void reload() {
        RetainedStore s = store;
        if (s == null) {
            return;
        }
        Set<String> inCache = new HashSet<>();
        for (Map.Entry<String, byte[]> e : cache.entrySet()) {
            inCache.add(e.getKey());
            apply(e.getKey(), e.getValue());
        }
        List<String> stale = new ArrayList<>();
        s.match("#", m -> {
            if (!inCache.contains(m.topic())) {
                stale.add(m.topic());
            }
        });
        for (String topic : stale) {
            s.applyReplica(Message.of(topic, 0, true, new byte[0], MessageProperties.NONE, null, 0));
        }
    }

    public int size() {
        return cache.size();
    }

    private void apply(String topic, byte[] value) {
        RetainedStore s = store;
        if (s == null) {
            return;
        }
        if (value == null) {
            s.applyReplica(Message.of(topic, 0, true, new byte[0], MessageProperties.NONE, null, 0));
            return;
        }
        try {
            s.applyReplica(MessageCodec.read(new Wire.In(value), true));
        } catch (IOException e) {
            LOG.error("cluster: the retained message of '{}' cannot be read and is ignored: {}", topic, e.getMessage());
        }
    }

    /** Applies every committed change before the write returns to its writer. */
    @Listener(sync = true)
    public final class CacheListener {

        @CacheEntryCreated
        public void created(CacheEntryEvent<String, byte[]> e) {
            if (!e.isPre()) {
                apply(e.getKey(), e.getValue());
            }
        }

        @CacheEntryModified
        public void modified(CacheEntryEvent<String, byte[]> e) {
            if (!e.isPre()) {
                apply(e.getKey(), e.getValue());
            }
        }

        @CacheEntryRemoved
        public void removed(CacheEntryEvent<String, byte[]> e) {
            if (!e.isPre()) {
                apply(e.getKey(), null);
            }
        }
    }
}
