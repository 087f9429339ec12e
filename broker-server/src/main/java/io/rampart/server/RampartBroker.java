package io.rampart.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.rampart.core.BrokerCore;
import io.rampart.core.cluster.ClusterSeams;
import io.rampart.security.spi.Realm;
import io.rampart.server.admin.AdminWiring;
import io.rampart.server.cluster.ClusterWiring;
import io.rampart.server.metrics.BrokerMetrics;
import io.rampart.server.metrics.PacketCounter;
import io.rampart.server.metrics.TrafficCounter;
import io.rampart.server.insights.BrokerInsights;
import io.rampart.server.observe.Observers;
import io.rampart.server.sys.SysTopicsPublisher;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ConfigException;
import io.rampart.server.config.ListenerConfig;
import io.rampart.server.config.ListenerType;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.events.EventLogFlush;
import io.rampart.server.events.MemoryLevelLog;
import io.rampart.server.limit.ConnectionAdmission;
import io.rampart.server.logging.JulBridge;
import io.rampart.server.pipeline.MqttChannelInitializer;
import io.rampart.server.pipeline.PipelineNames;
import io.rampart.server.protocol.ListenerContext;
import io.rampart.server.protocol.MqttConnection;
import io.rampart.server.security.SecurityModule;
import io.rampart.server.tracing.Tracing;
import io.rampart.tls.DevCertificate;
import io.rampart.tls.ServerTls;
import io.rampart.tls.TlsConfigException;
import io.rampart.tls.TlsObserver;
import io.rampart.tls.TlsSettings;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The composition root: builds the core, binds every configured listener and shuts down gracefully.
 * Tests start it in-process with port 0 listeners and ask {@link #port(String)} where they landed.
 *
 * <p>Admin listeners are bound first, so orchestrators can ask {@code /health/ready} (503) while the realms
 * open and the MQTT listeners bind; readiness turns 200 once everything is up and back to 503 as soon as
 * shutdown begins. The admin listeners close last.
 *
 * <p>As a node of a cluster ({@code cluster.enabled}), the broker joins the cluster after the realms open and before
 * the MQTT listeners bind; at shutdown it announces that it leaves, sends MQTT 5 clients to the other nodes (0x9C Use
 * another server) and leaves its sessions to them.
 */
public final class RampartBroker implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(RampartBroker.class);

    private final BrokerConfig config;
    private final BrokerCore core;
    private final BrokerMetrics metrics;
    private final BrokerEvents events;
    private final EventLogFlush eventLogFlush;
    private final TrafficCounter trafficCounter;
    private final PacketCounter packetCounter;
    private final IoHandlerFactory ioFactory;
    private EventLoopGroup adminGroup;
    private final Map<String, Channel> adminListeners = new LinkedHashMap<>();
    private volatile boolean ready;
    private volatile boolean stopping;
    private SysTopicsPublisher sysTopics;
    private final ScheduledExecutorService timers;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final ChannelGroup connections = new DefaultChannelGroup("rampart-connections", GlobalEventExecutor.INSTANCE);
    private final Observers observers = new Observers();
    private final Map<String, Channel> listeners = new LinkedHashMap<>();
    /** The further SO_REUSEPORT sockets of each listener (epoll), closed with it. */
    private final List<Channel> extraListenerChannels = new ArrayList<>();
    private final boolean reusePort;
    private volatile boolean closed;
    private SecurityModule security;
    private final TlsObserver tlsObserver;
    private final List<ServerTls> tlsListeners = new ArrayList<>();
    private AdminWiring admin;
    /** The cluster, or {@code null} for a single broker (then nothing of the cluster module is loaded). */
    private final ClusterWiring cluster;
    private final BrokerInsights insights;

    /** Distributed tracing; {@code null} when it is off (no OpenTelemetry object exists then). */
    private Tracing tracing;

    private RampartBroker(BrokerConfig config, TlsObserver tlsObserver) {
        this.config = config;
        this.timers = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("rampart-timers", true));
        this.metrics = new BrokerMetrics(config.observability().influx());
        this.tlsObserver = tlsObserver == null || tlsObserver == TlsObserver.NOOP ? metrics.tlsObserver()
                : both(metrics.tlsObserver(), tlsObserver);
        this.events = new BrokerEvents(metrics, "json".equals(config.observability().eventLogFormat()));
        this.eventLogFlush = EventLogFlush.start(timers);
        this.cluster = config.cluster().enabled()
                ? new ClusterWiring(config, Main.Version.version(), events, metrics) : null;
        this.core = new BrokerCore(config.mqtt(), config.memory(), timers, events,
                cluster == null ? ClusterSeams.SINGLE_NODE : cluster.seams());
        MemoryLevelLog.watch(core.budget(), events, timers);
        metrics.bindBroker(core, connections::size);
        this.trafficCounter = new TrafficCounter(metrics);
        this.packetCounter = new PacketCounter(metrics);
        IoHandlerFactory io;
        if (Epoll.isAvailable()) {
            io = EpollIoHandler.newFactory();
            serverChannelClass = EpollServerSocketChannel.class;
            reusePort = true;
        } else {
            LOG.info("native epoll transport unavailable ({}); using NIO", Epoll.unavailabilityCause().toString());
            io = NioIoHandler.newFactory();
            serverChannelClass = NioServerSocketChannel.class;
            reusePort = false;
        }
        this.ioFactory = io;
        observers.onTapsChanged(() -> MqttConnection.retapAll(connections));
        this.insights = new BrokerInsights(config.insights(), config.dataDir(), observers, events, metrics, timers,
                java.time.Clock.systemUTC(), core.subscriptions());
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("rampart-accept"), io);
        // One I/O thread per core: more threads than cores only adds context switches and wake-ups.
        workerGroup = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("rampart-io"), io);
    }

    /** Builds the broker and binds all listeners; on any bind failure everything is released again. */
    public static RampartBroker start(BrokerConfig config) throws Exception {
        return start(config, TlsObserver.NOOP);
    }

    /**
     * As {@link #start(BrokerConfig)}, also reporting TLS handshakes and revocation checks to {@code tlsObserver}
     * (besides the broker's own metrics).
     */
    public static RampartBroker start(BrokerConfig config, TlsObserver tlsObserver) throws Exception {
        RampartBroker broker = prepare(config, tlsObserver);
        try {
            broker.open();
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /**
     * First half of {@link #start}: builds the broker and binds only the admin listeners, which answer
     * {@code /health/ready} with 503 until {@link #open()} has finished.
     */
    public static RampartBroker prepare(BrokerConfig config) throws Exception {
        return prepare(config, TlsObserver.NOOP);
    }

    private static RampartBroker prepare(BrokerConfig config, TlsObserver tlsObserver) throws Exception {
        JulBridge.install();
        RampartBroker broker = new RampartBroker(config, tlsObserver);
        try {
            broker.admin = AdminWiring.create(config, broker.core, broker.metrics, broker.insights, broker.timers,
                    broker::readinessProblems, broker.connections::size, broker::boundAddress, Main.Version.version(),
                    broker::clusterStatus);
            broker.events.feed(broker.admin.liveFeed());
            for (ListenerConfig listener : config.listeners()) {
                if (listener.type() == ListenerType.ADMIN) {
                    broker.bindAdmin(listener);
                }
            }
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** Second half of {@link #start}: opens the realms, binds the MQTT listeners, then reports ready. */
    public void open() throws Exception {
        admin.beforeRealms(System.out);
        security = SecurityModule.create(config, timers);
        insights.watch(security.accessLog());
        if (config.observability().tracing().enabled()) {
            tracing = Tracing.start(config.observability().tracing(), Main.Version.version());
        }
        if (cluster != null) {
            cluster.open(core, connections);
            admin.share(cluster.sharedState(), events);
            security.brake().share(cluster.sharedState());
            insights.share(cluster.sharedState());
        }
        for (ListenerConfig listener : config.listeners()) {
            if (listener.type() != ListenerType.ADMIN) {
                bind(listener);
            }
        }
        admin.attach(security, tlsListeners);
        if (config.observability().sysTopics().enabled()) {
            sysTopics = new SysTopicsPublisher(core, metrics, Main.Version.version(), timers,
                    config.observability().sysTopics().intervalSeconds());
        }
        ready = !stopping;
    }

    private static TlsObserver both(TlsObserver first, TlsObserver second) {
        return new TlsObserver() {
            @Override
            public void handshake(String listener, String result, String protocol, String cipher) {
                first.handshake(listener, result, protocol, cipher);
                second.handshake(listener, result, protocol, cipher);
            }

            @Override
            public void revocationCheck(String method, String result, boolean cached) {
                first.revocationCheck(method, result, cached);
                second.revocationCheck(method, result, cached);
            }
        };
    }

    private void bindAdmin(ListenerConfig lc) throws Exception {
        if (adminGroup == null) {
            // Its own thread: a slow scrape never delays MQTT I/O, and health answers even when I/O threads are busy.
            adminGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("rampart-admin", true), ioFactory);
        }
        ServerTls tls = lc.tls() == null ? null : openTls(lc);
        Channel channel;
        try {
            channel = new ServerBootstrap()
                    .group(adminGroup)
                    .channel(serverChannelClass)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(admin.initializer(lc, tls))
                    .bind(lc.bind(), lc.port()).sync().channel();
        } catch (Exception e) {
            throw new java.io.IOException("listener '" + lc.name() + "' cannot bind " + lc.bind() + ":" + lc.port()
                    + ": " + e.getMessage(), e);
        }
        listeners.put(lc.name(), channel);
        adminListeners.put(lc.name(), channel);
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();
        LOG.info("listener '{}' (admin) on {}://{}:{} - Control Center / and /api/v1 /metrics /health/live /health/ready",
                lc.name(), tls == null ? "http" : "https", address.getAddress().getHostAddress(), address.getPort());
    }

    /** The cluster as this node sees it, for the admin API ({@code enabled: false} for a single broker). */
    public Map<String, Object> clusterStatus() {
        return cluster == null ? Map.of("enabled", false) : cluster.statusTree();
    }

    /** Where a listener is bound now, or {@code null} while it is not. */
    private InetSocketAddress boundAddress(String listenerName) {
        Channel channel = listeners.get(listenerName);
        return channel != null && channel.isActive() ? (InetSocketAddress) channel.localAddress() : null;
    }

    /** Why the broker is not ready to serve clients (empty when it is): readiness endpoint. */
    public List<String> readinessProblems() {
        List<String> problems = new ArrayList<>();
        if (stopping) {
            problems.add("shutting down");
            return problems;
        }
        if (!ready) {
            problems.add("starting: listeners not bound yet");
            return problems;
        }
        for (ListenerConfig lc : config.listeners()) {
            Channel channel = listeners.get(lc.name());
            if (channel == null || !channel.isActive()) {
                problems.add("listener '" + lc.name() + "' is not bound");
            }
        }
        if (cluster != null) {
            String reason = cluster.unavailableReason();
            if (reason != null) {
                problems.add(reason);
            }
        }
        if (core.budget().isAboveReadinessMark()) {
            problems.add("memory budget " + core.budget().used() * 100 / core.budget().limit() + "% used (not ready from "
                    + core.budget().settings().notReadyPercent() + "%): new clients should go elsewhere");
        }
        SecurityModule s = security;
        if (s != null) {
            for (Realm realm : s.realms().values()) {
                String reason = realm.unavailableReason();
                if (reason != null) {
                    problems.add("realm '" + realm.name() + "' unavailable: " + reason);
                }
            }
        }
        return problems;
    }

    private void bind(ListenerConfig lc) throws Exception {
        int maxPacketSize = lc.limits().maxPacketSize() == 0 ? config.mqtt().maxPacketSize()
                : Math.min(config.mqtt().maxPacketSize(), lc.limits().maxPacketSize());
        ListenerContext context = new ListenerContext(lc.name(), typeName(lc.type()), admin.gate(security.gateFor(lc)),
                security.accessLog(), lc.limits(), maxPacketSize, lc.queue().over(config.mqtt().queueLimits()),
                tracing, observers);
        ConnectionAdmission admission = new ConnectionAdmission(lc.name(), lc.maxConnections(), lc.connectionRate(),
                lc.perAddress(), events);
        String wsPath = lc.type().isWebSocket() ? lc.path() : null;
        ServerTls tls = null;
        if (lc.type().isTls()) {
            tls = openTls(lc);
        }
        MqttChannelInitializer initializer = new MqttChannelInitializer(context, wsPath, tls, admission, core, events,
                connections, trafficCounter, packetCounter);
        Channel channel;
        try {
            if (reusePort) {
                // One listening socket per I/O thread (SO_REUSEPORT): the kernel spreads new connections
                // over them and each connection stays on the thread that accepted it, with no hand-off.
                int port = lc.port();
                requireFree(lc.bind(), port);
                channel = null;
                for (io.netty.util.concurrent.EventExecutor executor : workerGroup) {
                    io.netty.channel.EventLoop loop = (io.netty.channel.EventLoop) executor;
                    Channel c = serverBootstrap(loop, loop, initializer)
                            .option(io.netty.channel.unix.UnixChannelOption.SO_REUSEPORT, true)
                            .bind(lc.bind(), port).sync().channel();
                    if (channel == null) {
                        channel = c;
                        port = ((InetSocketAddress) c.localAddress()).getPort();
                    }
                    extraListenerChannels.add(c);
                }
                extraListenerChannels.remove(channel);
            } else {
                channel = serverBootstrap(bossGroup, workerGroup, initializer).bind(lc.bind(), lc.port()).sync().channel();
            }
        } catch (Exception e) {
            throw new java.io.IOException("listener '" + lc.name() + "' cannot bind " + lc.bind() + ":" + lc.port()
                    + ": " + e.getMessage(), e);
        }
        listeners.put(lc.name(), channel);
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();
        LOG.info("listener '{}' ({}) on {}:{}{}{}", lc.name(), typeName(lc.type()),
                address.getAddress().getHostAddress(), address.getPort(), wsPath == null ? "" : " path " + wsPath,
                lc.allowAnonymous() ? " - ANONYMOUS ACCESS ALLOWED" : "");
    }

    /**
     * SO_REUSEPORT would also let this listener share its port with another process of the same user (a second
     * broker started by mistake): the kernel would then split the clients between the two. A plain bind first
     * fails, as it does without SO_REUSEPORT, when anything already listens there.
     */
    private static void requireFree(String bind, int port) throws java.io.IOException {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(bind, port));
        } catch (java.net.BindException e) {
            throw new java.net.BindException("Address already in use (another process listens there)");
        }
    }

    /**
     * The listener's TLS contexts; without configured key material, the development certificate. Key material or
     * settings that cannot be used are a configuration error naming the file, the listener's key and the reason.
     */
    private ServerTls openTls(ListenerConfig lc) throws TlsConfigException, ConfigException {
        TlsSettings settings = lc.tls();
        if (settings.keyMaterial() == null) {
            settings = settings.withKeyMaterial(DevCertificate.ensure(config.dataDir().resolve("tls"), lc.name()));
        }
        try {
            ServerTls tls = ServerTls.open(lc.name(), settings, timers, tlsObserver);
            tlsListeners.add(tls);
            return tls;
        } catch (TlsConfigException e) {
            String key = "listeners[" + config.listeners().indexOf(lc) + "].tls" + (e.key() == null ? "" : "." + e.key());
            ConfigException invalid = new ConfigException(config.source(), key, "listener '" + lc.name() + "': "
                    + e.getMessage());
            invalid.initCause(e);
            throw invalid;
        }
    }

    private ServerBootstrap serverBootstrap(EventLoopGroup parent, EventLoopGroup child,
                                            MqttChannelInitializer initializer) {
        return new ServerBootstrap()
                .group(parent, child)
                .channel(serverChannelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
    }

    private static String typeName(ListenerType type) {
        return type.configName();
    }

    /** The port a listener is bound to (useful when it was configured with port 0). */
    public int port(String listenerName) {
        Channel channel = listeners.get(listenerName);
        if (channel == null) {
            throw new IllegalArgumentException("no listener named '" + listenerName + "'");
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public BrokerConfig config() {
        return config;
    }

    public BrokerCore core() {
        return core;
    }

    public BrokerEvents events() {
        return events;
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    /**
     * Readiness turns 503 at once; {@link #close()} calls this first, so a load balancer stops sending
     * clients before the listeners go away.
     */
    public void beginShutdown() {
        stopping = true;
        ready = false;
    }

    /** Number of open client connections (all listeners). */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Graceful shutdown: stop accepting, tell MQTT 5 clients 0x8B (server shutting down), let pending
     * writes flush, then release the event loops.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        beginShutdown();
        LOG.info("shutting down: {} connection(s) open", connections.size());
        if (cluster != null) {
            cluster.leave();
        }
        String serverReference = cluster == null ? null : cluster.serverReference();
        if (sysTopics != null) {
            sysTopics.close();
        }
        for (Map.Entry<String, Channel> listener : listeners.entrySet()) {
            if (!adminListeners.containsKey(listener.getKey())) {
                listener.getValue().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        for (Channel listener : extraListenerChannels) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        List<io.netty.util.concurrent.Future<?>> closing = new ArrayList<>();
        for (Channel ch : connections) {
            MqttConnection connection = (MqttConnection) ch.pipeline().get(PipelineNames.MQTT_CONNECTION);
            if (connection != null) {
                if (cluster != null) {
                    ch.eventLoop().execute(() -> connection.sendAway(serverReference,
                            "this node is shutting down; use another node of the cluster"));
                } else {
                    ch.eventLoop().execute(connection::shutdown);
                }
            }
            closing.add(ch.closeFuture());
        }
        for (io.netty.util.concurrent.Future<?> f : closing) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        bossGroup.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (security != null) {
            security.close();
        }
        if (tracing != null) {
            tracing.close();
        }
        for (ServerTls tls : tlsListeners) {
            tls.close();
        }
        insights.close();
        timers.shutdownNow();
        core.sessions().clear();
        if (cluster != null) {
            cluster.awaitJournal();
            cluster.close();
        }
        for (Channel adminListener : adminListeners.values()) {
            adminListener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (adminGroup != null) {
            adminGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        eventLogFlush.close();
        if (admin != null) {
            admin.close();
        }
        metrics.close();
        LOG.info("stopped");
    }
}
