package io.rampart.cluster.grid;

import io.rampart.cluster.ClusterSettings;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.Configuration;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.global.ShutdownHookBehavior;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;

import java.util.concurrent.TimeUnit;

/**
 * The data grid (Infinispan, embedded) on the node's JGroups channel, and its caches:
 *
 * <ul>
 *   <li>{@code routes} (replicated): which node holds subscriptions with which filters</li>
 *   <li>{@code retained} (replicated): every retained message, on every node</li>
 *   <li>{@code sessions} (distributed, {@code 1 + replication} copies): session homes, records and queued messages</li>
 *   <li>{@code nodes} (replicated): each node's version and client-facing addresses</li>
 *   <li>{@code shared} (replicated): the security state every node shares (bans, API tokens, admin sessions,
 *   detections)</li>
 * </ul>
 *
 * When the cluster splits, both sides keep working on their caches; when it heals, the entries of the side with more
 * nodes win ({@link MergePolicy#PREFERRED_ALWAYS}).
 */
public final class Grid implements AutoCloseable {

    public static final String ROUTES = "rampart-routes";
    public static final String RETAINED = "rampart-retained";
    public static final String SESSIONS = "rampart-sessions";
    public static final String NODES = "rampart-nodes";
    public static final String SHARED = "rampart-shared";

    private final DefaultCacheManager manager;

    private Grid(DefaultCacheManager manager) {
        this.manager = manager;
    }

    /** Starts the grid on {@code channel} (not yet connected): joins the cluster and its caches. */
    public static Grid start(ClusterSettings settings, JChannel channel) {
        GlobalConfigurationBuilder global = new GlobalConfigurationBuilder();
        // The channel goes in as a configurator: the manager copies its configuration, and a transport instance would be
        // re-created without the channel.
        global.transport().defaultTransport().addProperty(JGroupsTransport.CHANNEL_CONFIGURATOR,
                        new PreparedChannel(channel)).clusterName("rampart")
                .nodeName(settings.nodeName())
                .distributedSyncTimeout(Math.max(10_000, settings.failureDetection().toMillis() * 2), TimeUnit.MILLISECONDS);
        global.jmx().disable();
        global.metrics().gauges(false).histograms(false);
        global.cacheContainer().statistics(false);
        global.shutdown().hookBehavior(ShutdownHookBehavior.DONT_REGISTER);
        DefaultCacheManager manager = new DefaultCacheManager(global.build(), false);
        long remoteTimeout = Math.max(5_000, settings.failureDetection().toMillis());
        Configuration replicated = clustered(CacheMode.REPL_SYNC, remoteTimeout).build();
        ConfigurationBuilder distributed = clustered(CacheMode.DIST_SYNC, remoteTimeout);
        distributed.clustering().hash().numOwners(1 + settings.replication()).groups().enabled(true)
                .addGrouper(new SessionKeys());
        manager.defineConfiguration(ROUTES, replicated);
        manager.defineConfiguration(RETAINED, replicated);
        manager.defineConfiguration(NODES, replicated);
        manager.defineConfiguration(SHARED, replicated);
        manager.defineConfiguration(SESSIONS, distributed.build());
        try {
            manager.start();
            manager.startCaches(ROUTES, RETAINED, NODES, SESSIONS, SHARED);
        } catch (RuntimeException e) {
            manager.stop();
            throw e;
        }
        return new Grid(manager);
    }

    private static ConfigurationBuilder clustered(CacheMode mode, long remoteTimeout) {
        ConfigurationBuilder b = new ConfigurationBuilder();
        b.clustering().cacheMode(mode).remoteTimeout(remoteTimeout, TimeUnit.MILLISECONDS)
                .stateTransfer().awaitInitialTransfer(true).timeout(Math.max(60_000, remoteTimeout * 4),
                        TimeUnit.MILLISECONDS)
                .partitionHandling().whenSplit(PartitionHandling.ALLOW_READ_WRITES)
                .mergePolicy(MergePolicy.PREFERRED_ALWAYS);
        b.statistics().enabled(false);
        return b;
    }

    public Cache<String, Integer> routes() {
        return manager.getCache(ROUTES);
    }

    public Cache<String, byte[]> retained() {
        return manager.getCache(RETAINED);
    }

    public Cache<String, Object> sessions() {
        return manager.getCache(SESSIONS);
    }

    public Cache<String, byte[]> nodes() {
        return manager.getCache(NODES);
    }

    public Cache<String, byte[]> shared() {
        return manager.getCache(SHARED);
    }

    @Override
    public void close() {
        manager.stop();
    }
}
